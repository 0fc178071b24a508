"""What the pages and the API ask of a store: story lists with filters, sorting
and pages, and one story laid out for reading.  Pure functions of a store
opened to read, plus a cache of story summaries keyed by the newest article.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from storyfold.outlets import outlet_name
from storyfold.records import Article, Digest, Quote
from storyfold.store import Store
from storyfold.store.browse import StorySummary, iso_day
from storyfold.store.sqlite import StoredLink

Sort = Literal["recent", "size"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryFilter:
    """Which stories a list shows, in which order, and which page of them."""

    q: str | None = None
    source: str | None = None
    lang: str | None = None
    since: str | None = None
    until: str | None = None
    """ISO days: a story is kept when its publication dates overlap the range."""
    sort: Sort = "recent"
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True, slots=True)
class StoryPage:
    stories: tuple[StorySummary, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class StoryIndex:
    """Every story's summary, rebuilt only when a batch has been committed
    since the last build (the newest article's arrival order changed)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key = -1
        self._rows: tuple[StorySummary, ...] = ()
        self._by_id: dict[str, StorySummary] = {}
        self._facets: tuple[list[tuple[str, int]], list[tuple[str, int]]] = ([], [])

    def rows(self, store: Store) -> tuple[StorySummary, ...]:
        key = store.last_seq()
        with self._lock:
            if key != self._key:
                rows = store.story_summaries()
                self._rows = tuple(rows)
                self._by_id = {r.id: r for r in rows}
                self._count_facets()
                self._key = key
            return self._rows

    def get(self, store: Store, story: str) -> StorySummary | None:
        self.rows(store)
        return self._by_id.get(story)

    def facets(self, store: Store) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """Outlets and languages with their story counts, the most frequent first."""
        self.rows(store)
        with self._lock:
            return self._facets

    def _count_facets(self) -> None:
        sources: dict[str, int] = {}
        langs: dict[str, int] = {}
        for row in self._rows:
            for name in row.sources:
                sources[name] = sources.get(name, 0) + 1
            for lang in row.langs:
                langs[lang] = langs.get(lang, 0) + 1
        order = lambda pair: (-pair[1], pair[0].casefold())  # noqa: E731
        self._facets = sorted(sources.items(), key=order), sorted(langs.items(), key=order)


def list_stories(store: Store, index: StoryIndex, wanted: StoryFilter) -> StoryPage:
    rows: Sequence[StorySummary] = index.rows(store)
    if wanted.q:
        rank = {sid: i for i, sid in enumerate(store.stories_matching(wanted.q))}
        rows = [r for r in rows if r.id in rank]
        if wanted.sort == "recent":
            rows = sorted(rows, key=lambda r: -r.last_seq)
    if wanted.source:
        rows = [r for r in rows if wanted.source in r.sources]
    if wanted.lang:
        rows = [r for r in rows if wanted.lang in r.langs]
    if wanted.since:
        since = wanted.since
        rows = [r for r in rows if r.last_seen is not None and r.last_seen >= since]
    if wanted.until:
        until = wanted.until
        rows = [r for r in rows if r.first_seen is not None and r.first_seen <= until]
    if wanted.sort == "size":
        rows = sorted(rows, key=lambda r: (-r.articles, -r.last_seq))
    elif not wanted.q:
        rows = sorted(rows, key=lambda r: -r.last_seq)
    start = (wanted.page - 1) * wanted.per_page
    return StoryPage(
        tuple(rows[start : start + wanted.per_page]), len(rows), wanted.page, wanted.per_page
    )


# --- one story, laid out for reading ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """One original article of a story, numbered for citations, with its copies."""

    number: int
    article: Article
    outlet: str | None
    copies: tuple[tuple[Article, StoredLink], ...]


@dataclass(frozen=True, slots=True)
class CoverageRow:
    claim: str
    carried: tuple[bool, ...]
    """One flag per column of ``StoryView.columns``."""
    count: int


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    date: str
    published: int
    mentioned: int


@dataclass(frozen=True, slots=True)
class StoryView:
    summary: StorySummary
    digest: Digest | None
    sources: tuple[Source, ...]
    number: dict[str, int]
    """Every article id of the story -> the number of its source (a copy cites its original)."""
    columns: tuple[Source, ...]
    coverage: tuple[CoverageRow, ...]
    quotes: tuple[tuple[str, tuple[Quote, ...]], ...]
    entities: tuple[tuple[str, tuple[tuple[str, int, str], ...]], ...]
    timeline: tuple[TimelinePoint, ...]
    undated: tuple[str, ...]
    related: tuple[tuple[str, str, str], ...]
    """(story id, its title, why)."""
    langs: tuple[str, ...] = field(default=())

    def cites(self, articles: Sequence[str]) -> list[int]:
        """The source numbers citing ``articles``, each once, in order."""
        return sorted({self.number[a] for a in articles if a in self.number})


_COLUMNS = 12
_CLAIMS = 15
_ENTITY_TYPES = (("person", "People"), ("organisation", "Organisations"), ("place", "Places"))


def story_view(store: Store, index: StoryIndex, story: str) -> StoryView | None:
    summary = index.get(store, story)
    if summary is None:
        return None
    digest = store.digest(story)
    articles = list(store.articles(story=story))
    links = {a.id: store.copy_link(a.id) for a in articles}
    by_id = {a.id: a for a in articles}
    originals = [a for a in articles if (link := links[a.id]) is None or link.original not in by_id]
    sources: list[Source] = []
    number: dict[str, int] = {}
    for n, article in enumerate(originals, start=1):
        copies = tuple(
            (a, link)
            for a in articles
            if (link := links[a.id]) is not None and link.original == article.id
        )
        sources.append(Source(n, article, _outlet(article), copies))
        number[article.id] = n
        for copy, _ in copies:
            number[copy.id] = n
    coverage_claims = digest.coverage if digest else ()
    carried_by = {c.text: {number[a] for a in c.articles if a in number} for c in coverage_claims}
    # The columns of the coverage matrix: the sources carrying the most claims.
    widest = sorted(
        sources, key=lambda s: (-sum(s.number in n for n in carried_by.values()), s.number)
    )
    columns = tuple(sorted(widest[:_COLUMNS], key=lambda s: s.number))
    coverage = tuple(
        CoverageRow(
            c.text, tuple(s.number in carried_by[c.text] for s in columns), len(carried_by[c.text])
        )
        for c in coverage_claims[:_CLAIMS]
    )
    quotes: dict[str, list[Quote]] = {}
    for quote in digest.quotes if digest else ():
        quotes.setdefault(quote.speaker, []).append(quote)
    entities = tuple(
        (
            label,
            tuple(
                (e.name, e.mentions, ", ".join(v for v in e.variants if v != e.name))
                for e in (digest.entities if digest else ())
                if e.type == kind
            )[:20],
        )
        for kind, label in _ENTITY_TYPES
    )
    timeline, undated = _timeline(digest)
    related = tuple(
        (r.story, (index.get(store, r.story) or _untitled(r.story)).title or r.story, r.why)
        for r in (digest.related if digest else ())
    )
    return StoryView(
        summary=summary,
        digest=digest,
        sources=tuple(sources),
        number=number,
        columns=columns,
        coverage=coverage,
        quotes=tuple((speaker, tuple(qs)) for speaker, qs in quotes.items()),
        entities=tuple((label, rows) for label, rows in entities if rows),
        timeline=timeline,
        undated=undated,
        related=related,
        langs=summary.langs,
    )


def _untitled(story: str) -> StorySummary:
    return StorySummary(story, "", 0, (), (), None, None, 0)


def _outlet(article: Article) -> str | None:
    return outlet_name(article.source, article.url)


def _timeline(digest: Digest | None) -> tuple[tuple[TimelinePoint, ...], tuple[str, ...]]:
    """Dates that read as a year, month or day, in order, with how many
    articles were published on or mention each; the other dates as given."""
    counts: dict[str, list[int]] = {}
    undated: list[str] = []
    for seen in digest.timeline if digest else ():
        key = _date_key(seen.date)
        if key is None:
            if seen.date not in undated:
                undated.append(seen.date)
            continue
        pair = counts.setdefault(key, [0, 0])
        pair[0 if seen.kind == "published" else 1] += len(seen.articles)
    points = tuple(TimelinePoint(d, p, m) for d, (p, m) in sorted(counts.items()))
    return points, tuple(undated)


def _date_key(value: str) -> str | None:
    day = iso_day(value)
    if day:
        return day
    text = value.strip()
    if len(text) == 4 and text.isdigit():
        return text
    if len(text) == 7 and text[:4].isdigit() and text[4] == "-" and text[5:].isdigit():
        return text
    return None
