"""The functions the batch pipeline runs on Dask workers.

Every stage calls the engine's own stage objects (cleaner, representer, copy
finder, assigner, digester): a worker holds one engine, built by
:class:`EngineOnWorker` from the factory the client registered, over an
in-memory store it never writes articles to.  Records carry their global
arrival index ``idx`` (the order the local ingest would store them in), so
every result is independent of how the articles were partitioned.
"""

from __future__ import annotations

import heapq
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from distributed import WorkerPlugin, get_worker

from storyfold.batch.index import CandidateIndex
from storyfold.copies.leads import day_number
from storyfold.engine import Engine
from storyfold.records import Article, Assignment, CopyLink, RawArticle
from storyfold.represent.base import Representation, Vectors
from storyfold.represent.text import stable_id
from storyfold.store import Store

EngineFactory = Callable[[Store], Engine]
PLUGIN = "storyfold-engine"


class EngineOnWorker(WorkerPlugin):
    """Builds the worker's engine on first use (the embedder loads once per
    worker process, and again on a worker that replaces a dead one)."""

    name = PLUGIN

    def __init__(self, factory: EngineFactory) -> None:
        self.factory = factory
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.factory(Store.open(":memory:"))
        return self._engine


def _engine() -> Engine:
    plugin = get_worker().plugins[PLUGIN]
    assert isinstance(plugin, EngineOnWorker)
    return plugin.engine


@dataclass(frozen=True, slots=True)
class Record:
    """One article after the map stages: cleaned, represented, with its LSH keys.

    ``article.seen`` is the arrival order it gets in the store (``idx + 1`` in a
    new store).
    """

    idx: int
    article: Article
    rep: Representation
    band_keys: tuple[str, ...]


Candidate = tuple[str, int, int]
"""``(kind, later, earlier)``: ``kind`` is ``"h"`` (same content hash) or ``"b"``
(a shared LSH band key); both are arrival indices."""

Ranked = list[tuple[float, int]]
"""An article's nearest earlier articles (itself included) by lead cosine:
``(cosine, idx)``, best first, ties by arrival."""


# --- map: clean, then represent ------------------------------------------------
def clean(raws: Sequence[RawArticle]) -> list[Article]:
    engine = _engine()
    return [engine.clean(raw) for raw in raws]


def represent(start: int, articles: Sequence[Article], chunk: int) -> list[Record]:
    """Represents ``articles`` (arrival indices from ``start``) in chunks of
    ``chunk``, aligned as the local ingest's batches are, so that a batched
    model call sees the same texts together and gives the same vectors."""
    engine = _engine()
    out: list[Record] = []
    for at in range(0, len(articles), chunk):
        group = articles[at : at + chunk]
        for offset, (article, rep) in enumerate(
            zip(group, engine.representer.represent(group), strict=True)
        ):
            idx = start + at + offset
            keys = tuple(engine.copy_finder.band_keys(rep))
            out.append(Record(idx, replace(article, seen=idx + 1), rep, keys))
    return out


# --- shuffle: content hashes and band keys, grouped by key ---------------------
def emit_keys(records: Sequence[Record], buckets: int) -> list[dict[str, list[int]]]:
    """Each record's hash and band keys, split into ``buckets`` by key."""
    out: list[dict[str, list[int]]] = [{} for _ in range(buckets)]
    for record in records:
        keys = [f"h:{record.article.content_hash}", *(f"b:{k}" for k in record.band_keys)]
        for key in keys:
            out[zlib.crc32(key.encode()) % buckets].setdefault(key, []).append(record.idx)
    return out


def pick(items: Sequence[object], position: int) -> object:
    return items[position]


def group_keys(bounds: Sequence[int], *emitted: dict[str, list[int]]) -> list[list[Candidate]]:
    """One reducer: the pairs of articles sharing a key, routed to the partition
    of the later article (``bounds`` are the partitions' first indices)."""
    merged: dict[str, list[int]] = {}
    for part in emitted:
        for key, ids in part.items():
            merged.setdefault(key, []).extend(ids)
    routed: list[list[Candidate]] = [[] for _ in bounds]
    for key, ids in merged.items():
        if len(ids) < 2:
            continue
        ids.sort()
        for n, later in enumerate(ids[1:], start=1):
            target = routed[_partition(bounds, later)]
            target.extend((key[0], later, earlier) for earlier in ids[:n])
    return routed


def _partition(bounds: Sequence[int], idx: int) -> int:
    lo, hi = 0, len(bounds) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if bounds[mid] <= idx:
            lo = mid
        else:
            hi = mid - 1
    return lo


def gather_candidates(*routed: list[Candidate]) -> list[Candidate]:
    return sorted({c for part in routed for c in part})


# --- nearest earlier articles by lead embedding, in blocks ---------------------
Leads = tuple[int, Vectors, npt.NDArray[np.int64]]
"""A partition's first arrival index, its lead rows and each article's day number."""


def leads(records: Sequence[Record], today: int) -> Leads:
    """A partition's leads and days (published, else ``today``: the store dates
    the copy candidates of an undated article by the day it was ingested)."""
    dim = len(records[0].rep.lead) if records else 0
    rows = np.vstack([r.rep.lead for r in records]) if records else np.zeros((0, dim))
    days = [day_number(r.article.published) or today for r in records]
    return (records[0].idx if records else 0), rows.astype(np.float32), np.array(days, np.int64)


def day_span(leads: Leads) -> tuple[int, int] | None:
    """The first and last day number of a partition's articles (None if empty)."""
    days = leads[2]
    return (int(days.min()), int(days.max())) if len(days) else None


def blocks_to_rank(spans: Sequence[tuple[int, int] | None], window: int) -> list[list[int]]:
    """For each partition ``q``, the partitions ``j <= q`` whose articles can
    hold its lead candidates: itself, and the earlier ones whose day span comes
    within ``window`` days of its own.  Every pair of articles in a skipped
    block lies more than ``window`` days apart, so :func:`rank_block` would
    mask all of it: the ranking is the same, and a chronological archive costs
    partitions times the window instead of partitions squared."""
    out: list[list[int]] = []
    for q, mine in enumerate(spans):
        near = [
            j
            for j in range(q)
            if mine is not None
            and (other := spans[j]) is not None
            and other[0] - window <= mine[1]
            and mine[0] - window <= other[1]
        ]
        out.append([*near, q])
    return out


def rank_block(query: Leads, block: Leads, keep: int, window: int) -> list[Ranked]:
    """For each query article, the ``keep`` best of the block's articles that
    arrived no later than it and are dated within ``window`` days of it (the
    local path ranks the stored articles of those days, itself included:
    :class:`storyfold.copies.leads.LeadIndex`)."""
    q_start, q_rows, q_days = query
    b_start, b_rows, b_days = block
    scores = q_rows @ b_rows.T if len(b_rows) else np.zeros((len(q_rows), 0), np.float32)
    out: list[Ranked] = []
    for row in range(len(q_rows)):
        upto = min(len(b_rows), q_start + row - b_start + 1)
        if upto <= 0:
            out.append([])
            continue
        inside = np.flatnonzero(np.abs(b_days[:upto] - q_days[row]) <= window)
        values = scores[row, inside]
        order = np.argsort(-values, kind="stable")[:keep]
        out.append([(float(values[i]), b_start + int(inside[i])) for i in order])
    return out


def merge_ranks(keep: int, *blocks: list[Ranked]) -> list[Ranked]:
    """The blocks' rankings merged: best cosine first, ties by arrival."""
    if not blocks:
        return []
    merged: list[Ranked] = []
    for row in range(len(blocks[0])):
        ranked = heapq.nsmallest(
            keep, (c for b in blocks for c in b[row]), key=lambda c: (-c[0], c[1])
        )
        merged.append(ranked)
    return merged


# --- confirm candidates with the copy finder -----------------------------------
def needed(candidates: Sequence[Candidate], ranks: Sequence[Ranked]) -> set[int]:
    wanted = {c[2] for c in candidates}
    wanted.update(idx for ranked in ranks for _, idx in ranked)
    return wanted


def select(
    records: Sequence[Record], candidates: list[Candidate], ranks: list[Ranked]
) -> list[Record]:
    """The records of one earlier partition that a later partition's checks need."""
    wanted = needed(candidates, ranks)
    return [r for r in records if r.idx in wanted]


def confirm(
    records: Sequence[Record],
    candidates: list[Candidate],
    ranks: list[Ranked],
    keep: int,
    *earlier: list[Record],
) -> list[tuple[int, CopyLink | None]]:
    """Each article's copy link, found by the copy finder over its candidates."""
    finder = _engine().copy_finder
    by_idx = {r.idx: r for part in (*earlier, records) for r in part}
    same: dict[int, dict[str, list[int]]] = {}
    for kind, later, other in candidates:
        same.setdefault(later, {"h": [], "b": []})[kind].append(other)
    vectors: dict[str, Vectors] = {}
    out: list[tuple[int, CopyLink | None]] = []
    for record, ranked in zip(records, ranks, strict=True):
        mine = same.get(record.idx, {"h": [], "b": []})
        ids = {*mine["h"], *mine["b"], *(i for _, i in ranked), record.idx}
        index = CandidateIndex(
            records={by_idx[i].article.id: (by_idx[i].article, by_idx[i].rep) for i in ids},
            same_hash=[by_idx[i].article.id for i in sorted({*mine["h"], record.idx})],
            same_band=[by_idx[i].article.id for i in {*mine["b"], record.idx}],
            nearest=[(by_idx[i].article.id, score) for score, i in ranked],
            limit=keep,
            vectors=vectors,
        )
        # The local path checks the article as read, before it has a place in the store.
        link = finder.find(replace(record.article, seen=0), record.rep, index)
        out.append((record.idx, link))
    return out


# --- stories per time window, and digests --------------------------------------
Change = tuple[str, str, str, float | None, int]
"""A split or merge as the store records it: (kind, story, other, score, articles)."""


@dataclass(frozen=True, slots=True)
class WindowStories:
    """What one window's fold decided: the final story of each of its articles
    that is not a copy (lead-in included, by arrival index), and the splits
    and merges made after the lead-in, as the store records them."""

    start: int
    stories: dict[int, Assignment]
    changes: list[Change]


def window_engine() -> Engine:
    """The worker's engine stages over a new in-memory store of their own."""
    base = _engine()
    return Engine(
        Store.open(":memory:"),
        settings=base.settings,
        text_cleaner=base.text_cleaner,
        html_cleaner=base.html_cleaner,
        representer=base.representer,
        copy_finder=base.copy_finder,
        assigner=base.assigner,
        consolidator=base.consolidator,
        digester=base.digester,
    )


def fold_window(
    lo: int, start: int, hi: int, links: dict[int, CopyLink], *parts: Sequence[Record]
) -> WindowStories:
    """The engine's own ``fold`` over the articles ``lo <= idx < hi`` (those
    before ``start`` are the lead-in: the end of the previous window, folded
    again so the seam can be matched), in the local ingest's batches.  A copy
    whose family's original lies outside the window is left out: the client
    places it with its original."""
    engine = window_engine()
    store = engine.store
    records = sorted((r for part in parts for r in part if lo <= r.idx < hi), key=lambda r: r.idx)
    inside: dict[str, CopyLink | None] = {}
    kept: list[Record] = []
    for record in records:
        link = links.get(record.idx)
        if link is None or link.original in inside:
            inside[record.article.id] = link
            kept.append(record)
    size = engine.settings.batch_size
    batches: dict[int, list[Record]] = {}
    for record in kept:
        batches.setdefault(record.idx // size, []).append(record)
    lead_changes = 0
    with store.transaction():
        for number, batch in sorted(batches.items()):
            engine.fold(
                [r.article for r in batch],
                [r.rep for r in batch],
                lambda article, rep: inside[article.id],
                lambda article, rep: [],
            )
            if (number + 1) * size <= start:
                lead_changes = len(store.story_changes())
    stories: dict[int, Assignment] = {}
    for record in kept:
        if record.idx in links:
            continue
        story = store.story_of(record.article.id)
        held = store.assignment(record.article.id)
        assert story is not None and held is not None, "every folded article has a story"
        score, parts_of = held
        stories[record.idx] = Assignment(
            record.article.id, story, score, False, tuple(parts_of.items())
        )
    return WindowStories(start, stories, store.story_changes()[lead_changes:])


def stitch(windows: Sequence[WindowStories]) -> tuple[dict[str, Assignment], list[Change]]:
    """The windows' stories joined at their seams, by article id.

    A window's lead-in articles already have their story from the window
    before; each story of the later window that holds lead-in articles takes
    the earlier story most of them are in (ties: the smaller id), so a story
    running across the seam keeps one id, and two that the later window merged
    become one.  A story with no lead-in article keeps its own id unless an
    earlier window used it (then it gets one made from the window's number).
    """
    final: dict[str, Assignment] = {}
    changes: list[Change] = []
    used: set[str] = set()
    for number, window in enumerate(windows):
        votes: dict[str, dict[str, int]] = {}
        for idx, assignment in window.stories.items():
            if idx < window.start and (before := final.get(assignment.article)) is not None:
                tally = votes.setdefault(assignment.story, {})
                tally[before.story] = tally.get(before.story, 0) + 1
        rename = {
            story: min(tally.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            for story, tally in votes.items()
        }
        mine: set[str] = set()
        for idx in sorted(window.stories):
            assignment = window.stories[idx]
            if idx < window.start:
                continue
            story = assignment.story
            if story not in rename and story in used:
                rename[story] = f"s{stable_id(f'{story}:window{number}')[:12]}"
            story = rename.get(story, story)
            mine.add(story)
            final[assignment.article] = replace(assignment, story=story)
        used |= mine
        changes += [
            (k, rename.get(a, a), rename.get(b, b), sc, n) for k, a, b, sc, n in window.changes
        ]
    return final, changes


def extract(records: Sequence[Record]) -> list[Any]:
    """The digester's per-article extracts (none for a digester without them)."""
    return _engine()._extract([r.article for r in records], [r.rep for r in records])
