"""Lexical sentence alignment: the cheap check for same-language rewrites."""

from __future__ import annotations

import sys
from collections import OrderedDict

from storyfold.copies.align import longest_increasing
from storyfold.represent.text import words

# Two sentences match when most of the shorter one's words (three letters or
# more) appear in the other: a light edit or a machine round trip keeps most
# words; two reports that paraphrase the same fact rarely do.
_MIN_OVERLAP = 0.5


def word_sets(sentences: tuple[str, ...]) -> list[frozenset[str]]:
    return [frozenset(sys.intern(w) for w in words(s) if len(w) >= 3) for s in sentences]


class WordSets:
    """:func:`word_sets`, remembered for the ``capacity`` articles used last.

    A stored article is the candidate of many new ones (its own copies, the
    day's other reports with a similar lead), and splitting its sentences into
    words again each time was the largest part of the copy check after the lead
    search.  On the 10,000-article synthetic stream (bench/copies_scale.py,
    hashing embedder) 42,433 calls asked for 6,159 distinct articles; the
    share answered from memory was 0.52 at 256 articles, 0.75 at 1,024, 0.82 at
    2,048 and 0.85 at 4,096.  One article's sets take about 28 KB (words are
    interned, so the common ones are held once).  Keyed by the sentences
    themselves: the sets are a function of them, so an article deleted and
    stored again with another text never gets stale sets.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.capacity = capacity
        self._memo: OrderedDict[tuple[str, ...], list[frozenset[str]]] = OrderedDict()

    def __call__(self, sentences: tuple[str, ...]) -> list[frozenset[str]]:
        found = self._memo.get(sentences)
        if found is not None:
            self._memo.move_to_end(sentences)
            return found
        made = word_sets(sentences)
        self._memo[sentences] = made
        if len(self._memo) > self.capacity:
            self._memo.popitem(last=False)
        return made


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
