"""The full digest: summary, quotes, entities, coverage and timeline.

``StoryDigester`` wraps a summary digester (title, sources, summary) and adds
what a reader asks of a story: who said what, who and where it is about, what
each outlet reports that the others do not, and when.

Reading an article (spaCy) is done once, by ``extract``, when the article is
ingested: the engine stores each ``ArticleExtract`` and hands a story's
extracts to ``digest``, which only aggregates them.  A member without a
usable extract (a store from before extracts, or an article changed since) is
read on the spot; the engine stores what was read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from storyfold.digest.coverage import claim_text, claims, is_claim
from storyfold.digest.entities import (
    EntityIndex,
    canonical_names,
    mentions_of,
    same_person,
)
from storyfold.digest.extract import ArticleExtract, ArticleFacts, empty, missing, sparse
from storyfold.digest.nlp import SpacyReader
from storyfold.digest.quotes import Found, find_spans, quotes_in
from storyfold.digest.simple import CentralSentences
from storyfold.digest.timeline import first_and_last, mentioned
from storyfold.records import Article, DateSeen, Digest, Quote
from storyfold.represent.base import Representation, Sparse, Vectors

Member = tuple[Article, Representation, str | None]

__all__ = ["ArticleFacts", "StoryDigester", "adjectival", "story_quotes"]

# Two quotations are one when they share this share of their words (a
# translated or lightly edited copy of the same words: 000/001 share 0.6).
_SAME_QUOTE = 0.5
# Claim sentences written with the story's names (Lavrov -> Sergei Lavrov) are
# vectorised at digest time, not at ingest: about 4 in 10 sentences of a large
# story.  Their vectors are kept on the instance (sparse, ~200 bytes each) so
# that the next digest of the story does not make them again.
_NAMED_VECTORS = 65536


class StoryDigester:
    """A summary digester plus quotes, entities, coverage and timeline."""

    def __init__(
        self,
        summary: CentralSentences,
        vector: Callable[[str], Vectors],
        reader: SpacyReader | None = None,
    ) -> None:
        self.summary = summary
        self.vector = vector
        self.reader = reader or SpacyReader()
        self._named: dict[str, Sparse] = {}
        self._dim = 0

    def facts(self, articles: Sequence[Article]) -> list[ArticleFacts]:
        """Each article's quotations, names and dates, read with spaCy in one
        batch; a body without a quotation is read for its entities only.  Each
        parse is dropped once read: a batch's parses are never all held at once."""
        clipped = [self.reader.clip(a.body) for a in articles]
        quoted = [i for i, text in enumerate(clipped) if find_spans(text)]
        plain = sorted(set(range(len(articles))) - set(quoted))
        found: dict[int, ArticleFacts] = {}
        for i, doc in zip(quoted, self.reader.parse(clipped[i] for i in quoted), strict=True):
            found[i] = _facts(doc, articles[i], tuple(quotes_in(doc)))
        for i, doc in zip(plain, self.reader.entities(clipped[i] for i in plain), strict=True):
            found[i] = _facts(doc, articles[i], ())
        return [found[i] for i in range(len(articles))]

    def extract(self, members: Sequence[tuple[Article, Representation]]) -> list[ArticleExtract]:
        """What the digest needs of each article, to be stored with it."""
        facts = self.facts([a for a, _ in members])
        return [
            ArticleExtract(
                article.id,
                article.content_hash,
                fact,
                tuple(sparse(self.vector(s)) for s in rep.sentences),
                tuple(
                    sparse(self.vector(claim_text(s))) if is_claim(s) else empty()
                    for s in rep.sentences
                ),
            )
            for (article, rep), fact in zip(members, facts, strict=True)
        ]

    def digest(
        self,
        story: str,
        members: Sequence[Member],
        extracts: Mapping[str, ArticleExtract] | None = None,
    ) -> Digest:
        """The story's digest from its members' extracts (read here if missing)."""
        given = dict(extracts or {})
        given.update((e.article, e) for e in self.extract(missing(members, given)))
        articles = [a for a, _, _ in members]
        found = [given[a.id] for a in articles]
        facts = [e.facts for e in found]
        base = self.summary.digest(story, members, {e.article: e.sentences for e in found})
        index = EntityIndex(m for f in facts for m in f.mentions)
        order = [a.id for a in articles]
        entities = index.entities(order)
        first, last = first_and_last(a.published for a in articles)
        return replace(
            base,
            quotes=story_quotes(articles, facts, index),
            entities=entities,
            coverage=claims(
                members,
                self._named_vector,
                canonical_names(entities),
                {e.article: e.claims for e in found},
            ),
            timeline=_timeline(articles, facts),
            first_seen=first,
            last_seen=last,
        )

    def _named_vector(self, text: str) -> Vectors:
        """``vector``, remembered for the texts of claims rewritten with names."""
        kept = self._named.get(text)
        if kept is None:
            row = self.vector(text)
            if len(self._named) >= _NAMED_VECTORS:
                self._named.pop(next(iter(self._named)))
            self._named[text] = sparse(row)
            self._dim = row.shape[0]
            return row
        out = np.zeros(self._dim, dtype=np.float32)
        out[kept[0]] = kept[1]
        return out


def _facts(doc: object, article: Article, quotes: tuple[Found, ...]) -> ArticleFacts:
    return ArticleFacts(
        quotes, tuple(mentions_of(doc, article.id)), tuple(mentioned(doc, article.published))
    )


def _speaker(found: Found, index: EntityIndex, texts: Sequence[str]) -> str:
    person = index.person(found.speaker)
    if person is not None:
        return person
    return adjectival(found.speaker, texts)


def adjectival(name: str, texts: Sequence[str]) -> str:
    """``Russia’s foreign ministry`` as the story also writes it, ``Russian foreign
    ministry``: one name for one body, whichever outlet quotes it."""
    match = re.fullmatch(r"(\w+)[’']s (.+)", name)
    if match is None:
        return name
    owner, rest = match.groups()
    pattern = re.compile(rf"\b({re.escape(owner[:3])}\w*) {re.escape(rest)}\b", re.IGNORECASE)
    for text in texts:
        for found in pattern.finditer(text):
            if found.group(1) != owner:
                return f"{found.group(1)} {rest}"
    return name


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def story_quotes(
    articles: Sequence[Article], facts: Sequence[ArticleFacts], index: EntityIndex
) -> tuple[Quote, ...]:
    """The story's quotations, speakers by their fullest names, one per words said."""
    texts = [a.body for a in articles]
    speakers: dict[str, str] = {}  # as an article names them -> as the story does
    same: dict[tuple[str, str], bool] = {}
    merged: list[tuple[str, str, set[str], list[str]]] = []  # speaker, text, words, articles
    for article, fact in zip(articles, facts, strict=True):
        for found in fact.quotes:
            if found.speaker not in speakers:
                speakers[found.speaker] = _speaker(found, index, texts)
            speaker = speakers[found.speaker]
            words = _words(found.text)
            for m_speaker, _, m_words, m_articles in merged:
                # the share of words first: it is cheap, and rarely reached
                share = len(words & m_words) / max(len(words | m_words), 1)
                if share < _SAME_QUOTE:
                    continue
                if (pair := (m_speaker, speaker)) not in same:
                    same[pair] = m_speaker == speaker or same_person(m_speaker, speaker)
                if same[pair]:
                    if article.id not in m_articles:
                        m_articles.append(article.id)
                    break
            else:
                merged.append((speaker, found.text, words, [article.id]))
    return tuple(Quote(s, t, tuple(a)) for s, t, _, a in merged)


def _timeline(articles: Sequence[Article], facts: Sequence[ArticleFacts]) -> tuple[DateSeen, ...]:
    seen: dict[tuple[str, str], list[str]] = {}
    for article, fact in zip(articles, facts, strict=True):
        day = first_and_last([article.published])[0]
        if day is not None:
            seen.setdefault((day, "published"), []).append(article.id)
        for text in fact.dates:
            cited = seen.setdefault((text, "mentioned"), [])
            if article.id not in cited:
                cited.append(article.id)
    return tuple(
        DateSeen(when, kind, tuple(ids))  # type: ignore[arg-type]
        for (when, kind), ids in sorted(seen.items(), key=lambda item: (item[0][1], item[0][0]))
    )
