"""Quick check that the plain-text cleaner generalises beyond the seeds.

Runs :class:`storyfold.clean.text.RuleTextCleaner` over the plain-text renderings
of real pages (``page_text``) and scores the body against the gold article
(``gold_body``) the way the scrapinghub article-extraction benchmark does:
multisets of word 4-gram shingles (``\\w+`` tokens), precision and recall per
page, each averaged over the pages, F1 from the two averages.  The same figures
for the page text as is (no cleaning) are printed next to them.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python bench/clean_text_quick.py [--worst 5] [files...]

These pages are a check, not a training set: a rule changed for them must
still be a general rule.  Speed is the CPU time of this process, which other
load on the machine sways less than wall time.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from storyfold.clean.learned import LearnedTextCleaner
from storyfold.clean.scoring import match, page_f1
from storyfold.clean.scoring import scores as _scores
from storyfold.clean.text import RuleTextCleaner

PAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "pages"
DEFAULT_FILES = (
    PAGES / "scrapinghub.text.jsonl",
    PAGES / "wcxb-dev-articles.text.jsonl",
)


def scores(counts: Iterable[tuple[int, int, int]]) -> tuple[float, float, float]:
    """Averaged precision and recall and their F1 (:mod:`storyfold.clean.scoring`)."""
    s = _scores(counts)
    return s.precision, s.recall, s.f1


def run(path: Path, worst: int, learned: bool) -> None:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    cleaner = LearnedTextCleaner() if learned else RuleTextCleaner()
    started = time.process_time()
    bodies = [cleaner.clean(row["page_text"]).body for row in rows]
    elapsed = time.process_time() - started
    kb = sum(len(row["page_text"]) for row in rows) / 1000
    systems: dict[str, Callable[[int], str]] = {
        "no cleaning": lambda i: rows[i]["page_text"],
        type(cleaner).__name__: lambda i: bodies[i],
    }
    print(f"{path.name}: {len(rows)} pages, {kb / len(rows):.1f} KB of text per page")
    for name, output in systems.items():
        p, r, f1 = scores(match(rows[i]["gold_body"], output(i)) for i in range(len(rows)))
        print(f"  {name:<16} precision={p:.3f} recall={r:.3f} F1={f1:.3f}")
    print(
        f"  speed: {len(rows) / elapsed:.0f} pages/s, "
        f"{kb / elapsed / 5:.0f} 5-KB-equivalents/s on one core"
    )
    if worst:
        deltas = []
        for i, row in enumerate(rows):
            base = page_f1(match(row["gold_body"], row["page_text"]))
            ours = page_f1(match(row["gold_body"], bodies[i]))
            deltas.append((ours - base, row["id"], row.get("url")))
        for delta, page, url in sorted(deltas)[:worst]:
            print(f"  worst: {delta:+.3f} {page} {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument("--worst", type=int, default=0, help="list the N pages cleaning hurt most")
    parser.add_argument(
        "--learned",
        action="store_true",
        help="the shipped learned cleaner (fitted on these pages: in-sample, not a CV figure; "
        "bench/clean.py gives the cross-validated one)",
    )
    args = parser.parse_args()
    for path in args.files:
        run(path, args.worst, args.learned)


if __name__ == "__main__":
    main()
