"""The records that flow through the pipeline.

Every stage takes and returns these frozen dataclasses, never loose dicts, so
that a stage's contract is visible in its signature and a record can be stored,
exported and compared as a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CopyKind = Literal["exact", "near", "rewrite", "translation"]


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One article as a reader found it, before any cleaning.

    ``text`` holds plain text and ``html`` an HTML page; exactly one of them is
    set.  ``origin`` names where it came from (``path`` or ``path:line``) so that
    every later error can point at the input.  ``metadata`` keeps the input's
    fields that storyfold does not use for decisions.
    """

    id: str
    origin: str
    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None
    source: str | None = None
    lang: str | None = None
    metadata: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RemovedSpan:
    """A piece of the raw text that is not part of the body, and why."""

    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Cleaned:
    """What a cleaner makes of one raw text: metadata, body and what it removed."""

    body: str
    title: str | None = None
    dek: str | None = None
    byline: str | None = None
    published: str | None = None
    removed: tuple[RemovedSpan, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article: the unit the rest of the pipeline works on."""

    id: str
    origin: str
    body: str
    content_hash: str
    title: str | None = None
    dek: str | None = None
    byline: str | None = None
    published: str | None = None
    url: str | None = None
    source: str | None = None
    lang: str | None = None
    removed: tuple[RemovedSpan, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    seen: int = 0
    """Order of arrival in the store (0 before the article is stored)."""


@dataclass(frozen=True, slots=True)
class CopyLink:
    """``copy`` is a copy of ``original``, with the evidence that says so."""

    copy: str
    original: str
    kind: CopyKind
    score: float
    evidence: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Assignment:
    """Which story an article joined and the score parts that decided it."""

    article: str
    story: str
    score: float
    opened: bool
    parts: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class SummarySentence:
    text: str
    articles: tuple[str, ...]


EntityType = Literal["person", "organisation", "place"]


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation, who said it, and every article that carries it."""

    speaker: str
    text: str
    articles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, organisation or place, its spellings merged into one name."""

    name: str
    type: EntityType
    mentions: int
    variants: tuple[str, ...]
    articles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Claim:
    """One thing the story's articles say, and the articles that say it."""

    text: str
    articles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DateSeen:
    """A date a story's articles were published on (``published``) or mention."""

    date: str
    kind: Literal["published", "mentioned"]
    articles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Related:
    """Another story that shares this one's actors, and which actors."""

    story: str
    why: str


@dataclass(frozen=True, slots=True)
class Digest:
    story: str
    title: str
    sources: tuple[str, ...]
    summary: tuple[SummarySentence, ...] = ()
    quotes: tuple[Quote, ...] = ()
    entities: tuple[Entity, ...] = ()
    coverage: tuple[Claim, ...] = ()
    timeline: tuple[DateSeen, ...] = ()
    first_seen: str | None = None
    last_seen: str | None = None
    related: tuple[Related, ...] = ()


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    articles: tuple[str, ...]
    first_seen: str | None = None
    last_seen: str | None = None
    digest: Digest | None = None
    related: tuple[tuple[str, str], ...] = field(default=())
