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
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from storyfold.clean.text import RuleTextCleaner

PAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "pages"
DEFAULT_FILES = (
    PAGES / "scrapinghub.text.jsonl",
    PAGES / "wcxb-dev-articles.text.jsonl",
)
_TOKEN = re.compile(r"\w+")
NGRAM = 4


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Word 4-grams with their counts (a text under four words is one short shingle)."""
    tokens = _TOKEN.findall(text)
    grams = (tuple(tokens[i : i + NGRAM]) for i in range(max(1, len(tokens) - NGRAM + 1)))
    return Counter(gram for gram in grams if gram)


def match(gold: str, pred: str) -> tuple[int, int, int]:
    """True positives, false positives and false negatives over shingles."""
    g, p = shingles(gold), shingles(pred)
    tp = sum((g & p).values())
    return tp, sum(p.values()) - tp, sum(g.values()) - tp


def scores(counts: Iterable[tuple[int, int, int]]) -> tuple[float, float, float]:
    """Precision and recall averaged per page (pages with nothing to score
    skipped, as in the scrapinghub evaluation), and F1 of the two averages."""
    precisions: list[float] = []
    recalls: list[float] = []
    for tp, fp, fn in counts:
        if tp + fp:
            precisions.append(1.0 if fp == fn == 0 else tp / (tp + fp))
        if tp + fn:
            recalls.append(1.0 if fp == fn == 0 else tp / (tp + fn))
    p, r = statistics.mean(precisions), statistics.mean(recalls)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def page_f1(counts: tuple[int, int, int]) -> float:
    tp, fp, fn = counts
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def run(path: Path, worst: int) -> None:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    cleaner = RuleTextCleaner()
    started = time.process_time()
    bodies = [cleaner.clean(row["page_text"]).body for row in rows]
    elapsed = time.process_time() - started
    kb = sum(len(row["page_text"]) for row in rows) / 1000
    systems: dict[str, Callable[[int], str]] = {
        "no cleaning": lambda i: rows[i]["page_text"],
        "RuleTextCleaner": lambda i: bodies[i],
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
    args = parser.parse_args()
    for path in args.files:
        run(path, args.worst)


if __name__ == "__main__":
    main()
