"""Copy detection at scale on a synthetic stream (bench/synth_stream.py).

Runs the copy stage the way ``Engine.ingest`` does (clean, represent, store,
find, link; batches of ``batch_size`` committed whole) into a fresh SQLite
store, with no story assignment and no digest: every original opens its own
story, so what is timed is cleaning + representation + the copy stage.  Each
size runs in its own process (peak RSS is that run's).  Reports time, peak RSS,
the cost per article over the first and the last 10% of the stream (flat is
the goal), and the copy families found against the stream's gold families.

    .venv/bin/python bench/copies_scale.py --sizes 10000,100000 [--embedder use] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from copies_stage import families, fold_copies
from synth_stream import stream

from storyfold import Engine
from storyfold.config import Settings
from storyfold.records import RawArticle

from common import ari, pairwise, write_section


def run(size: int, seed: int, embedder: str) -> dict[str, float]:
    settings = replace(Settings(), embedder=embedder)
    items = list(stream(size, seed))
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine.open(Path(tmp) / "copies.db", settings=settings)
        t0 = time.perf_counter()
        times = fold_copies(
            engine,
            (
                RawArticle(i.id, "synth", text=i.text, published=i.published, lang=i.lang)
                for i in items
            ),
        )
        seconds = time.perf_counter() - t0
        gold = [i.family for i in items]
        pred = families(engine, [i.id for i in items])
        engine.close()
    tenth = max(1, size // 10)
    p, r, _ = pairwise(gold, pred)
    return {
        "size": size,
        "seconds": seconds,
        "clean": times.clean,
        "represent": times.represent,
        "copies": times.copies,
        "first_ms": 1000 * sum(times.per_article[:tenth]) / tenth,
        "last_ms": 1000 * sum(times.per_article[-tenth:]) / tenth,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "precision": p,
        "recall": r,
        "ari": ari(gold, pred),
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--embedder", default="use")
    parser.add_argument("--one", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run(args.one, args.seed, args.embedder)))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(size),
                "--seed",
                str(args.seed),
                "--embedder",
                args.embedder,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(results[-1], flush=True)
    lines = [
        f"## Copies at scale: synthetic stream, embedder `{args.embedder}`",
        "",
        "Cleaning + representation + copy stage (no story assignment, no digest) into a fresh "
        f"SQLite store; `bench/synth_stream.py --seed {args.seed}` (40% copies: exact, boilerplate, "
        "trim, append, word edits, wmt21 translations; 1,000 articles a day). Per-article cost "
        "over the first and the last 10% of each stream.",
        "",
        "| articles | s | articles/s | clean s | represent s | copy stage s | ms/article first 10% | "
        "ms/article last 10% | peak RSS MB | pairwise P | pairwise R | ARI | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for x in results:
        lines.append(
            f"| {x['size']:,} | {x['seconds']:.0f} | {x['size'] / x['seconds']:.1f} | {x['clean']:.0f} "
            f"| {x['represent']:.0f} | {x['copies']:.0f} | {x['first_ms']:.1f} | {x['last_ms']:.1f} "
            f"| {x['rss_mb']:.0f} | {x['precision']:.3f} | {x['recall']:.3f} | {x['ari']:.3f} | {x['load']:.1f} |"
        )
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(f"copies-scale-{args.embedder}", report)


if __name__ == "__main__":
    main()
