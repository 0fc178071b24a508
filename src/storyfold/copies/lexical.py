"""Lexical sentence alignment: the cheap check for same-language rewrites."""

from __future__ import annotations

from storyfold.copies.align import longest_increasing
from storyfold.represent.text import words

# Two sentences match when most of the shorter one's words (three letters or
# more) appear in the other: a light edit or a machine round trip keeps most
# words; two reports that paraphrase the same fact rarely do.
_MIN_OVERLAP = 0.5


def word_sets(sentences: tuple[str, ...]) -> list[frozenset[str]]:
    return [frozenset(w for w in words(s) if len(w) >= 3) for s in sentences]


def aligned_lexically(a: list[frozenset[str]], b: list[frozenset[str]]) -> int:
    """Sentences of ``a`` matched by sentences of ``b`` in the same order."""
    matched: list[int] = []
    for sentence in a:
        if not sentence:
            continue
        best, best_overlap = -1, 0.0
        for position, other in enumerate(b):
            if not other:
                continue
            overlap = len(sentence & other) / min(len(sentence), len(other))
            if overlap > best_overlap:
                best, best_overlap = position, overlap
        if best_overlap >= _MIN_OVERLAP:
            matched.append(best)
    return longest_increasing(matched)
