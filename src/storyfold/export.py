"""The export contract: one JSON object per article or per story.

This is a public interface (see README, "Export format").  Fields are only ever
added; ``EXPORT_VERSION`` changes when a field changes meaning or goes away.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from storyfold.digest import source_of
from storyfold.records import Article, Digest
from storyfold.store import Store

EXPORT_VERSION = 1


def article_record(store: Store, article: Article) -> dict[str, Any]:
    link = store.copy_link(article.id)
    return {
        "id": article.id,
        "source": source_of(article),
        "url": article.url,
        "title": article.title,
        "byline": article.byline,
        "published": article.published,
        "lang": article.lang,
        "story": store.story_of(article.id),
        "copy_of": link.original if link else None,
        "copy_kind": link.kind if link else None,
        "copy_evidence": link.evidence if link else None,
        "dek": article.dek,
        "body": article.body,
        "removed": [{"text": s.text, "reason": s.reason} for s in article.removed],
        "origin": article.origin,
        "metadata": dict(article.metadata),
    }


def story_record(store: Store, story: str) -> dict[str, Any]:
    digest = store.digest(story)
    first_seen, last_seen = store.story_dates(story)
    return {
        "story": story,
        "title": digest.title if digest else None,
        "first_seen": first_seen or (digest and digest.first_seen),
        "last_seen": last_seen or (digest and digest.last_seen),
        "articles": store.story_article_ids(story),
        "sources": list(digest.sources) if digest else [],
        "summary": [
            {"text": s.text, "articles": list(s.articles)}
            for s in (digest.summary if digest else ())
        ],
        **_digest_fields(digest),
    }


def _digest_fields(digest: Digest | None) -> dict[str, Any]:
    """The digest's quotes, entities, coverage, related stories and timeline."""
    if digest is None:
        return {"quotes": [], "entities": [], "coverage": [], "related": [], "timeline": []}
    return {
        "quotes": [
            {"speaker": q.speaker, "text": q.text, "articles": list(q.articles)}
            for q in digest.quotes
        ],
        "entities": [
            {"name": e.name, "type": e.type, "mentions": e.mentions, "variants": list(e.variants)}
            for e in digest.entities
        ],
        "coverage": [{"claim": c.text, "articles": list(c.articles)} for c in digest.coverage],
        "related": [{"story": r.story, "why": r.why} for r in digest.related],
        "timeline": [
            {"date": d.date, "kind": d.kind, "articles": list(d.articles)} for d in digest.timeline
        ],
    }


def export_articles(store: Store) -> Iterator[dict[str, Any]]:
    for article in store.articles():
        yield article_record(store, article)


def export_stories(store: Store) -> Iterator[dict[str, Any]]:
    for story in store.story_ids():
        yield story_record(store, story)
