"""The full digest: summary, quotes, entities, coverage and timeline.

``StoryDigester`` wraps a summary digester (title, sources, summary) and adds
what a reader asks of a story: who said what, who and where it is about, what
each outlet reports that the others do not, and when.  Each article is parsed
once (spaCy, loaded on first use); its quotations, names and dates are kept on
the instance, keyed by article id and content hash, so that a story that grows
by one article is not parsed again whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from storyfold.digest.base import Digester
from storyfold.digest.coverage import claims
from storyfold.digest.entities import (
    EntityIndex,
    Mention,
    canonical_names,
    mentions_of,
    same_person,
)
from storyfold.digest.nlp import SpacyReader
from storyfold.digest.quotes import Found, quotes_in
from storyfold.digest.timeline import first_and_last, mentioned
from storyfold.records import Article, DateSeen, Digest, Quote
from storyfold.represent.base import Representation, Vectors

Member = tuple[Article, Representation, str | None]

# Two quotations are one when they share this share of their words (a
# translated or lightly edited copy of the same words: 000/001 share 0.6).
_SAME_QUOTE = 0.5
# Parsed articles kept on the instance; about 2 kB each.
_CACHE_ARTICLES = 4096


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What one article body yields: its quotations, names and dates."""

    quotes: tuple[Found, ...]
    mentions: tuple[Mention, ...]
    dates: tuple[str, ...]


class StoryDigester:
    """A summary digester plus quotes, entities, coverage and timeline."""

    def __init__(
        self,
        summary: Digester,
        vector: Callable[[str], Vectors],
        reader: SpacyReader | None = None,
    ) -> None:
        self.summary = summary
        self.vector = vector
        self.reader = reader or SpacyReader()
        self._facts: dict[tuple[str, str], ArticleFacts] = {}

    def facts(self, articles: Sequence[Article]) -> list[ArticleFacts]:
        """Each article's facts, parsing only those not seen before."""
        missing = [a for a in articles if (a.id, a.content_hash) not in self._facts]
        for article, doc in zip(missing, self.reader.parse(a.body for a in missing), strict=True):
            if len(self._facts) >= _CACHE_ARTICLES:
                self._facts.pop(next(iter(self._facts)))
            self._facts[article.id, article.content_hash] = ArticleFacts(
                tuple(quotes_in(doc)),
                tuple(mentions_of(doc, article.id)),
                tuple(mentioned(doc, article.published)),
            )
        return [self._facts[a.id, a.content_hash] for a in articles]

    def digest(self, story: str, members: Sequence[Member]) -> Digest:
        base = self.summary.digest(story, members)
        articles = [a for a, _, _ in members]
        facts = self.facts(articles)
        index = EntityIndex(m for f in facts for m in f.mentions)
        order = [a.id for a in articles]
        entities = index.entities(order)
        first, last = first_and_last(a.published for a in articles)
        return replace(
            base,
            quotes=story_quotes(articles, facts, index),
            entities=entities,
            coverage=claims(members, self.vector, canonical_names(entities)),
            timeline=_timeline(articles, facts),
            first_seen=first,
            last_seen=last,
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
    merged: list[tuple[str, str, set[str], list[str]]] = []  # speaker, text, words, articles
    for article, fact in zip(articles, facts, strict=True):
        for found in fact.quotes:
            speaker = _speaker(found, index, texts)
            words = _words(found.text)
            for m_speaker, _, m_words, m_articles in merged:
                share = len(words & m_words) / max(len(words | m_words), 1)
                same = m_speaker == speaker or same_person(m_speaker, speaker)
                if same and share >= _SAME_QUOTE:
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
