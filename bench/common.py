"""Shared pieces of the benchmarks: data paths, scorers, result writing."""

from __future__ import annotations

import json
import math
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("STORYFOLD_DATA", ROOT.parent / "shared" / "data"))
SEEDS = DATA.parent / "seeds"


def read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def bcubed(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1, averaged over items."""
    by_gold: dict[str, set[int]] = defaultdict(set)
    by_pred: dict[str, set[int]] = defaultdict(set)
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        by_gold[g].add(i)
        by_pred[p].add(i)
    precision = recall = 0.0
    for g, p in zip(gold, pred, strict=True):
        both = len(by_gold[g] & by_pred[p])
        precision += both / len(by_pred[p])
        recall += both / len(by_gold[g])
    n = len(gold)
    precision, recall = precision / n, recall / n
    return precision, recall, 2 * precision * recall / (precision + recall)


def pairwise(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the same-cluster relation over all pairs."""

    def pairs(labels: Sequence[str]) -> int:
        return sum(c * (c - 1) // 2 for c in Counter(labels).values())

    true_pairs, pred_pairs = pairs(gold), pairs(pred)
    both = pairs([f"{g}\x00{p}" for g, p in zip(gold, pred, strict=True)])
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def ari(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Adjusted Rand index."""

    def comb(n: int) -> float:
        return n * (n - 1) / 2

    n = len(gold)
    joint = Counter(zip(gold, pred, strict=True))
    index = sum(comb(c) for c in joint.values())
    a = sum(comb(c) for c in Counter(gold).values())
    b = sum(comb(c) for c in Counter(pred).values())
    expected = a * b / comb(n) if n > 1 else 0.0
    maximum = (a + b) / 2
    return (index - expected) / (maximum - expected) if maximum != expected else 1.0


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    m = sum(values) / len(values)
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def command() -> str:
    return " ".join([".venv/bin/python", *sys.argv])


BENCHMARKS = ROOT / "docs" / "benchmarks.md"


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section ``name`` of docs/benchmarks.md.

    Each section starts with the command that produced it, so every figure
    there can be reproduced.
    """
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    block = f"{start}\n{body.strip()}\n\nProduced by `{command()}`.\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    BENCHMARKS.write_text(text, encoding="utf-8")
