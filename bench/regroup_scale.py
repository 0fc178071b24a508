"""Time and memory of ``storyfold regroup``'s grouping as the set grows.

The 535 ECB+ dev articles, as the engine cleans and represents them, repeated
with new ids up to n articles (each repeat dated a year after the previous,
so the window rule applies as it would on an archive), are grouped by
``Regrouper.groups`` (features, probabilities, average linkage, word split).
Each size runs in a fresh process, so its peak resident memory is its own.

    .venv/bin/python bench/regroup_scale.py [--write] [--sizes 1000,2500,5000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from dataclasses import replace

from calibrate_stories import ecb_dev

from storyfold.config import Settings
from storyfold.records import Article
from storyfold.represent.base import Representation
from storyfold.stories.regroup import Regrouper

from common import write_section


def grown(
    items: list[tuple[Article, Representation]], n: int
) -> list[tuple[Article, Representation]]:
    out = []
    for k in range(n):
        article, rep = items[k % len(items)]
        repeat = k // len(items)
        out.append(
            (
                replace(article, id=f"{article.id}#{repeat}", published=f"{2000 + repeat}-06-01"),
                rep,
            )
        )
    return out


def measure(n: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    items = grown(ecb_dev().items, n)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    groups = Regrouper(Settings()).groups(items)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((n, seconds, loaded, peak, len(set(groups))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument("--sizes", default="1000,2500,5000")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    rows = []
    baseline = context.Queue()
    for n in [int(v) for v in args.sizes.split(",")]:
        process = context.Process(target=measure, args=(n, baseline))
        process.start()
        n, seconds, loaded, peak, stories = baseline.get()
        process.join()
        rows.append(
            f"| {n:,} | {seconds:.1f} | {loaded:,.0f} | {peak:,.0f} | {peak - loaded:,.0f} "
            f"| {stories:,} |"
        )
        print(rows[-1], flush=True)
    text = "\n".join(
        [
            "## Stories: regroup time and memory",
            "",
            "`Regrouper.groups` over the 535 ECB+ dev articles repeated with new ids, each "
            "repeat a year later (features, probabilities, average linkage and the word split; reading the "
            "store and writing the moves are not timed).  One process per size; its peak "
            "resident memory before grouping (the engine's models, the articles) and after; "
            "the difference is what grouping adds.  The default limit is "
            "`regroup_max_articles` = 5,000.  The stories column is not a quality figure: "
            "each article's repeats in other years have its very words, fill its "
            "nearest-neighbour lists and take the neighbour evidence from its own year's "
            "articles, so a set of repeats splits more than a real archive would.",
            "",
            "| articles | seconds | peak before, MB | peak after, MB | added, MB | stories |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )
    print(text)
    if args.write:
        write_section("stories-regroup-scale", text)


if __name__ == "__main__":
    main()
