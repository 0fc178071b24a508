"""Story assignment latency as the store grows: 1k, 10k, 100k articles.

The stream is built from real texts: every ECB+ dev article and every English
wmt21 text (about 2,500) is cleaned and represented once with the shipped
representer; the stream then draws from them at random, each draw a new
article with its own id, a day one year of news spread evenly (so the date
window moves), and its vectors jittered (term weights scaled by 0.6-1.4, a
tenth of the terms dropped, noise on the lead embedding) so no two articles
are the same.  The articles go through ``Engine.ingest`` with the shipped
assigner and consolidator, in batches, written to a SQLite store on disk.

What is timed per article: the active-story query, ``predict_one`` and
``learn_one`` (the story stage's work for one article).  Cleaning, the
embedding model, copy detection and digests are outside this figure (see
bench/throughput.py for the whole pipeline): the representer here hands back
the precomputed vectors, copies are off, and the digest is a title only.

    .venv/bin/python bench/story_latency.py [--articles 100000] [--write]
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import resource
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from storyfold import Engine
from storyfold.clean.text import RuleTextCleaner
from storyfold.copies.base import NoCopies
from storyfold.records import Article, Assignment, Digest, RawArticle
from storyfold.represent import Representation, Representer
from storyfold.represent.embedders import UseEmbedder
from storyfold.store import Store, StoryState
from storyfold.stories import CentroidAssigner

from common import DATA, read_jsonl, write_section

CACHE = Path(tempfile.gettempdir()) / "storyfold-bench" / "story-pool.pkl"
CHECKPOINTS = (1_000, 10_000, 30_000, 100_000)
WINDOW = 500
"""Latency at a checkpoint: the articles of the ``WINDOW`` before it."""


def pool() -> list[tuple[str, Representation]]:
    """Real texts, cleaned and represented once (cached)."""
    if CACHE.exists():
        return pickle.loads(CACHE.read_bytes())  # type: ignore[no-any-return]
    texts = [str(r["text"]) for r in read_jsonl(DATA / "stories" / "ecbplus-dev.jsonl")]
    texts += [
        str(r["text"])
        for r in read_jsonl(DATA / "copies" / "wmt21-dev.jsonl")
        if r.get("lang") == "en"
    ]
    cleaner = RuleTextCleaner()
    bodies = [cleaner.clean(t).body for t in texts]
    articles = [
        Article(id=str(k), origin="pool", body=b, content_hash=str(k))
        for k, b in enumerate(bodies)
        if b.strip()
    ]
    reps = Representer(UseEmbedder()).represent(articles)
    out = [(a.body, r) for a, r in zip(articles, reps, strict=True)]
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_bytes(pickle.dumps(out))
    return out


def jitter(rep: Representation, ident: str, rng: np.random.Generator) -> Representation:
    def sparse(s: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        keep = rng.random(len(s[0])) >= 0.1
        return s[0][keep], (s[1][keep] * rng.uniform(0.6, 1.4, keep.sum())).astype(np.float32)

    lead = rep.lead + rng.normal(0, 0.02, rep.lead.shape).astype(np.float32)
    return replace(
        rep,
        article=ident,
        lead=lead,
        names=sparse(rep.names),
        content=sparse(rep.content),
        phrases=sparse(rep.phrases),
    )


class Replay(Representer):
    """Hands back the stream's precomputed vectors."""

    def __init__(self, reps: dict[str, Representation]) -> None:
        super().__init__(UseEmbedder.__new__(UseEmbedder))
        self.reps = reps

    def represent(self, articles: Sequence[Article]) -> list[Representation]:
        return [self.reps.pop(a.id) for a in articles]


class TitleOnly:
    """A digest with a title and sources only (the digest is outside this figure)."""

    def digest(
        self, story: str, members: Sequence[tuple[Article, Representation, str | None]]
    ) -> Digest:
        return Digest(story=story, title=members[0][0].body[:80], sources=())


class Timed(CentroidAssigner):
    """The shipped assigner, timing its work per article."""

    def __init__(self, engine_settings: Any, clock: list[float]) -> None:
        super().__init__(engine_settings)
        self.clock = clock

    def predict_one(
        self, article: Article, rep: Representation, stories: Mapping[str, StoryState]
    ) -> Assignment:
        start = time.perf_counter()
        out = super().predict_one(article, rep, stories)
        self.clock[0] += time.perf_counter() - start
        return out

    def learn_one(
        self, article: Article, rep: Representation, story: str, state: StoryState | None, seq: int
    ) -> StoryState:
        start = time.perf_counter()
        out = super().learn_one(article, rep, story, state, seq)
        self.clock[0] += time.perf_counter() - start
        return out


def timed_query(store: Store, clock: list[float], sizes: list[int]) -> Callable[..., Any]:
    query = store.active_story_states

    def run(*args: Any) -> dict[str, StoryState]:
        start = time.perf_counter()
        out = query(*args)
        clock[0] += time.perf_counter() - start
        sizes.append(len(out))
        return out

    return run


def clocked(fn: Callable[..., Any], clock: list[float]) -> Callable[..., Any]:
    """``fn``, adding the seconds each call takes to ``clock[0]``."""

    def timed(*args: Any) -> Any:
        start = time.perf_counter()
        out = fn(*args)
        clock[0] += time.perf_counter() - start
        return out

    return timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    texts = pool()
    rng = np.random.default_rng(7)
    pick = random.Random(7)
    start_day = date(2025, 1, 1)
    n = args.articles
    reps: dict[str, Representation] = {}
    raws: list[RawArticle] = []
    for k in range(n):
        # Events come and go: each text is drawn about four times within a
        # few dozen articles, and comes back (a new event) a pool later.
        body, rep = texts[(k // 4 + pick.randrange(-3, 4)) % len(texts)]
        ident = f"a{k:06d}"
        reps[ident] = jitter(rep, ident, rng)
        day = start_day + timedelta(days=365 * k // n)
        raws.append(
            RawArticle(id=ident, origin="stream", text=body, published=day.isoformat(), lang="en")
        )
    workdir = Path(tempfile.mkdtemp(prefix="storyfold-latency-"))
    clock = [0.0]
    per_article: list[float] = []
    active: list[int] = []
    engine = Engine.open(
        workdir / "stream.db",
        representer=Replay(reps),
        copy_finder=NoCopies(),
        digester=TitleOnly(),
    )
    engine.assigner = Timed(engine.settings, clock)
    engine.consolidator.assigner = engine.assigner
    engine._write_related = lambda touched: None  # type: ignore[method-assign]
    engine.store.active_story_states = timed_query(engine.store, clock, active)  # type: ignore[method-assign]
    # The whole fold of each batch: storing, the story stage and the
    # consolidation after it (splits, reassignment, merges).
    fold_clock = [0.0]
    engine.fold = clocked(engine.fold, fold_clock)  # type: ignore[method-assign]
    # The second look at the end of each ingest call (Engine.settle).
    settle_clock = [0.0]
    engine.settle = clocked(engine.settle, settle_clock)  # type: ignore[method-assign]
    per_fold: list[float] = []
    per_settle: list[float] = []
    begun = time.perf_counter()
    # One article per ingest call would change batching; time per article is
    # read from the clock around each article of each batch instead.
    batch = engine.settings.batch_size
    checkpoints: dict[int, tuple[float, float, float, float, float, float, float, int]] = {}
    for first in range(0, n, batch):
        before, fold_before, settle_before = clock[0], fold_clock[0], settle_clock[0]
        engine.ingest(raws[first : first + batch])
        count = min(batch, n - first)
        per_article.extend([(clock[0] - before) / count] * count)
        per_fold.extend([(fold_clock[0] - fold_before) / count] * count)
        per_settle.extend([(settle_clock[0] - settle_before) / count] * count)
        for c in (*CHECKPOINTS, n):
            if first < c <= first + count and c not in checkpoints:
                window = np.array(per_article[max(0, c - WINDOW) : c]) * 1000
                folds = np.array(per_fold[max(0, c - WINDOW) : c]) * 1000
                settles = np.array(per_settle[max(0, c - WINDOW) : c]) * 1000
                checkpoints[c] = (
                    float(np.percentile(window, 50)),
                    float(np.percentile(window, 95)),
                    float(np.percentile(folds, 50)),
                    float(np.percentile(folds, 95)),
                    float(np.percentile(settles, 50)),
                    float(np.percentile(settles, 95)),
                    time.perf_counter() - begun,
                    int(np.mean(active[-WINDOW:])),
                )
                print(c, checkpoints[c], flush=True)
    total = time.perf_counter() - begun
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stories = len(engine.store.story_ids())
    changes = engine.store.story_changes()
    engine.close()
    lines = [
        "## Stories: assignment latency as the store grows",
        "",
        f"A stream of {n:,} articles drawn from {len(texts):,} real texts (ECB+ dev and wmt21 "
        "English, each draw jittered into a new article; each text drawn about four times "
        "within a few dozen articles, then again a pool later, as events come and go), one year of days spread evenly, "
        f"through `Engine.ingest` in batches of {batch} into a store on disk.  Time per article "
        "for the story stage (active-story query, `predict_one`, `learn_one`), over the "
        f"{WINDOW} articles before each size; the batch's time is shared evenly among its "
        "articles.  The fold columns time all of `Engine.fold` for the batch, shared the "
        "same way: storing each article, the story stage, and the consolidation after it "
        "(split checks, reassignment, merges).  The settle columns time the second look "
        "at the end of each ingest call (`Engine.settle`, its predictions also in the "
        "story-stage columns), shared the same way.",
        "",
        "| articles in the store | p50 ms | p95 ms | fold p50 ms | fold p95 ms "
        "| settle p50 ms | settle p95 ms | active stories searched (mean) |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {c:,} | {p50:.2f} | {p95:.2f} | {f50:.2f} | {f95:.2f} | {s50:.2f} | {s95:.2f} "
            f"| {act:,} |"
            for c, (p50, p95, f50, f95, s50, s95, _, act) in sorted(checkpoints.items())
        ),
        "",
        f"Whole stream: {total:.0f} s, {n / total:.0f} articles/s through the engine with "
        "cleaning, the story stage and the store (no embedding model, copies or digests); "
        f"{stories:,} stories, {sum(1 for c in changes if c[0] == 'split'):,} splits and "
        f"{sum(1 for c in changes if c[0] == 'merge'):,} merges; peak RSS {peak:.0f} MB; "
        f"load average {os.getloadavg()[0]:.1f} at the end (2 cores).",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section("story-latency", report)


if __name__ == "__main__":
    main()
