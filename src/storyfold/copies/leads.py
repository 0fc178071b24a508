"""The lead-embedding candidate index: stored leads held in memory, by day.

A copy (syndicated, rewritten, translated) appears within days of its
original, so a new article is compared only with the leads of articles dated
within a window of days around it.  Leads are kept in one growable float32 matrix
per day, so a query multiplies a few blocks, not the whole archive: the cost
per article stays flat as the store grows (bench/copies_scale.py).

An article's day is its publication day, else the day it was ingested.

The product runs on one BLAS thread.  OpenBLAS splits all but the smallest
matrix-vector products over every core; on 2 cores shared with other
jobs the second thread is often descheduled and the first waits for it.  On a
3,000-article synthetic stream (bench/copies_scale.py, hashing embedder, load
about 8) a query cost 10 ms with two threads and 0.55 ms with one (cProfile),
and the whole copy stage fell from 56 s to 18 s; the links of that stream came
out identical, scores and evidence included.

A batch's queries can be multiplied ahead, block by block (:meth:`LeadIndex.prepare`):
one block then stays in the CPU's cache for all the batch's queries instead of
being read from memory once per query.  With 64 queries against ten blocks of
1,000 leads that took 23 ms instead of 104 (one thread).  Each product is the
very same matrix-vector call on the same block, so it gives the same bits; a
block that changes after it was prepared (an article of the batch joins it) is
multiplied again at query time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from threadpoolctl import ThreadpoolController

from storyfold.represent.base import Vectors


def day_number(value: str | None) -> int | None:
    """The proleptic day number of an ISO-like date (``2024-05-01...``), or None."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


@dataclass(slots=True)
class _Block:
    """The leads of one day: rows ``[0, size)`` of ``rows`` are live."""

    dim: int
    ids: list[str] = field(default_factory=list)
    rows: Vectors = field(init=False)
    version: int = 0
    """Set by the index to a new number whenever the block changes."""

    def __post_init__(self) -> None:
        self.rows = np.zeros((8, self.dim), dtype=np.float32)

    def add(self, article_id: str, vector: Vectors) -> None:
        if len(self.ids) == len(self.rows):
            grown = np.zeros((2 * len(self.rows), self.dim), dtype=np.float32)
            grown[: len(self.ids)] = self.rows[: len(self.ids)]
            self.rows = grown
        self.rows[len(self.ids)] = vector
        self.ids.append(article_id)

    def remove(self, article_id: str) -> None:
        at = self.ids.index(article_id)
        last = len(self.ids) - 1
        self.rows[at] = self.rows[last]
        self.ids[at] = self.ids[last]
        self.ids.pop()


class LeadIndex:
    """Lead embeddings by day, searched by cosine (the vectors are normalised)."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._blocks: dict[int, _Block] = {}
        self._day_of: dict[str, int] = {}
        self._blas = ThreadpoolController()
        self._changes = 0
        # (query vector's bytes, day) -> (block version, cosines): see prepare
        self._prepared: dict[tuple[bytes, int], tuple[int, Vectors]] = {}

    def __len__(self) -> int:
        return len(self._day_of)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._day_of

    def add(self, article_id: str, vector: Vectors, day: int) -> None:
        if article_id in self._day_of:
            self.remove(article_id)
        block = self._blocks.setdefault(day, _Block(self.dim))
        block.add(article_id, vector)
        self._changed(block)
        self._day_of[article_id] = day

    def remove(self, article_id: str) -> None:
        day = self._day_of.pop(article_id, None)
        if day is None:
            return
        block = self._blocks[day]
        block.remove(article_id)
        self._changed(block)
        if not block.ids:
            del self._blocks[day]

    def _changed(self, block: _Block) -> None:
        self._changes += 1
        block.version = self._changes

    def _days(self, day: int, window: int) -> list[int]:
        if len(self._blocks) <= 2 * window + 1:
            return sorted(d for d in self._blocks if abs(d - day) <= window)
        return [d for d in range(day - window, day + window + 1) if d in self._blocks]

    def prepare(self, vectors: Sequence[Vectors], days: Sequence[int], window: int) -> None:
        """Multiply the leads of a batch about to be searched (``vectors``, dated
        ``days``) with the blocks their windows cover, one block at a time, and
        keep the cosines for :meth:`nearest` until the next call."""
        self._prepared = {}
        wanted: dict[int, list[tuple[bytes, Vectors]]] = {}
        for vector, day in zip(vectors, days, strict=True):
            key = vector.tobytes()
            for d in self._days(day, window):
                wanted.setdefault(d, []).append((key, vector))
        with self._blas.limit(limits=1, user_api="blas"):
            for d, queries in wanted.items():
                block = self._blocks[d]
                live = block.rows[: len(block.ids)]
                for key, vector in queries:
                    self._prepared[(key, d)] = (block.version, live @ vector)

    def nearest(
        self, vector: Vectors, k: int, min_cosine: float, day: int, window: int
    ) -> list[tuple[str, float]]:
        """The ``k`` leads closest to ``vector`` among days ``day ± window``,
        best first (ties by day, then arrival), each at least ``min_cosine``."""
        ids: list[str] = []
        scores: list[Vectors] = []
        key = vector.tobytes() if self._prepared else b""
        with self._blas.limit(limits=1, user_api="blas"):
            for d in self._days(day, window):
                block = self._blocks[d]
                ids.extend(block.ids)
                held = self._prepared.get((key, d))
                if held is not None and held[0] == block.version:
                    scores.append(held[1])
                else:
                    scores.append(block.rows[: len(block.ids)] @ vector)
        if not ids:
            return []
        flat = np.concatenate(scores)
        if len(flat) > k:
            top = np.argpartition(-flat, k - 1)[:k]
            order = top[np.argsort(-flat[top], kind="stable")]
        else:
            order = np.argsort(-flat, kind="stable")
        return [(ids[i], float(flat[i])) for i in order if flat[i] >= min_cosine]
