"""Story grouping and arrival order, through the engine itself.

Ingests all of ECB+ dev into an in-memory engine (shipped stages, the light
digest) in file order and in shuffled orders, and scores each run's stories
with B-cubed F1: the figure ``tests/test_quality_gates.py`` gates on, over more
orders than the gate can afford.  ``bench/calibrate_stories.py`` reports the
same for its in-memory mirror of the fold, which finds copy families once, in
file order; here each order finds its own, as a real ingest does.

    .venv/bin/python bench/story_orders.py [--shuffles 10] [--write]
"""

from __future__ import annotations

import argparse
import random
from dataclasses import replace

import numpy as np

from storyfold.config import Settings

from common import DATA, bcubed, ecb_raws, light_engine, read_jsonl, write_section


def b3(settings: Settings, rows: list[dict[str, object]]) -> float:
    engine = light_engine(settings)
    engine.ingest(ecb_raws(rows))
    labels = [engine.store.story_of(str(r["id"])) or "" for r in rows]
    engine.close()
    return bcubed([str(r["story"]) for r in rows], labels)[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shuffles", type=int, default=10)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rows = list(read_jsonl(DATA / "stories" / "ecbplus-dev.jsonl"))
    table = [
        "| settings | file order | shuffles 1-3 (the gate's) | all orders: mean | worst | best | spread |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, settings in (
        ("shipped", Settings()),
        ("shipped, no settle at the end of the run", replace(Settings(), story_settle_rounds=0)),
        (
            "shipped, no reassignment at split checkpoints",
            replace(Settings(), story_reassign=False),
        ),
        # Only the rules' cuts are left (halves further apart than the window).
        ("shipped, no split-model cuts", replace(Settings(), story_split_odds=1e18)),
    ):
        scores = [b3(settings, rows)]
        for seed in range(1, args.shuffles + 1):
            shuffled = list(rows)
            random.Random(seed).shuffle(shuffled)
            scores.append(b3(settings, shuffled))
            print(name, seed, round(scores[-1], 4), flush=True)
        gate = scores[1:4]
        table.append(
            f"| {name} | {scores[0]:.3f} | {', '.join(f'{v:.3f}' for v in gate)} "
            f"(spread {max(gate) - min(gate):.3f}) | {np.mean(scores):.3f} | {min(scores):.3f} "
            f"| {max(scores):.3f} | {max(scores) - min(scores):.3f} |"
        )
    report = "\n".join(
        [
            "## Stories: arrival order through the engine",
            "",
            f"All 535 ECB+ dev articles ingested through `Engine.ingest` (shipped stages, the "
            f"light digest) in file order and {args.shuffles} shuffled orders (seeds 1-"
            f"{args.shuffles}); B-cubed F1 of each run's stories.",
            "",
            *table,
        ]
    )
    print(report)
    if args.write:
        write_section("story-orders", report)


if __name__ == "__main__":
    main()
