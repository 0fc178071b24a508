"""The export contract: one JSON object per article or per story.

This is a public interface (see README, "Export format").  Fields are only ever
added; ``EXPORT_VERSION`` changes when a field changes meaning or goes away.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from storyfold.digest import source_of
from storyfold.records import Article
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
    state = store.story_states().get(story)
    return {
        "story": story,
        "title": digest.title if digest else None,
        "first_seen": state.first_seen if state else None,
        "last_seen": state.last_seen if state else None,
        "articles": store.story_article_ids(story),
        "sources": list(digest.sources) if digest else [],
        "summary": [
            {"text": s.text, "articles": list(s.articles)}
            for s in (digest.summary if digest else ())
        ],
    }


def export_articles(store: Store) -> Iterator[dict[str, Any]]:
    for article in store.articles():
        yield article_record(store, article)


def export_stories(store: Store) -> Iterator[dict[str, Any]]:
    for story in store.story_ids():
        yield story_record(store, story)
