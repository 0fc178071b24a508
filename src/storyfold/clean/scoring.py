"""The extraction scorer of the scrapinghub article-extraction benchmark.

Multisets of word 4-gram shingles (``\\w+`` tokens, case kept) of the output
against the gold body: precision and recall per page, each averaged over the
pages (a page with nothing to score is skipped for that average), F1 from the
two averages.  Used by ``storyfold eval clean``, the benchmarks and the
quality gates, so that every figure quoted for cleaning means the same thing.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

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


def contained(part: str, whole: str) -> float:
    """The share of ``part``'s shingles that ``whole`` holds too (1.0 for an empty part)."""
    p = shingles(part)
    total = sum(p.values())
    return sum((p & shingles(whole)).values()) / total if total else 1.0


@dataclass(frozen=True, slots=True)
class ExtractionScores:
    """Averaged shingle precision and recall over pages, and their F1."""

    precision: float
    recall: float
    f1: float
    pages: int


def scores(counts: Iterable[tuple[int, int, int]]) -> ExtractionScores:
    """Precision and recall averaged per page, F1 of the two averages."""
    precisions: list[float] = []
    recalls: list[float] = []
    pages = 0
    for tp, fp, fn in counts:
        pages += 1
        if tp + fp:
            precisions.append(1.0 if fp == fn == 0 else tp / (tp + fp))
        if tp + fn:
            recalls.append(1.0 if fp == fn == 0 else tp / (tp + fn))
    p = statistics.mean(precisions) if precisions else 0.0
    r = statistics.mean(recalls) if recalls else 0.0
    return ExtractionScores(p, r, 2 * p * r / (p + r) if p + r else 0.0, pages)


def page_f1(counts: tuple[int, int, int]) -> float:
    """The F1 of one page (for finding the pages a cleaner hurts most)."""
    tp, fp, fn = counts
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def similarity(a: str, b: str) -> float:
    """difflib's ratio of two strings, case and whitespace folded (title and author
    scoring; this reproduces the issue's trafilatura figures 0.629 and 0.652)."""
    from difflib import SequenceMatcher

    return SequenceMatcher(None, " ".join(a.lower().split()), " ".join(b.lower().split())).ratio()
