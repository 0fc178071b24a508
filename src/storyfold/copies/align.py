"""Sentence alignment: how much of one article the other says again, in order."""

from __future__ import annotations

import bisect

import numpy as np

from storyfold.represent.base import Vectors


def aligned_sentences(a: Vectors, b: Vectors, min_cosine: float) -> int:
    """The number of sentences of ``a`` matched by sentences of ``b`` in the same order.

    Each sentence of ``a`` is matched to its most similar sentence of ``b`` when
    their cosine reaches ``min_cosine``; the count is the longest run of matches
    whose positions in ``b`` increase (a rewrite keeps the order of its source;
    two reports that share a quote or two do not).
    """
    if len(a) == 0 or len(b) == 0:
        return 0
    sims = a @ b.T
    best = np.argmax(sims, axis=1)
    matched = [int(best[i]) for i in range(len(a)) if sims[i, best[i]] >= min_cosine]
    return longest_increasing(matched)


def longest_increasing(values: list[int]) -> int:
    tails: list[int] = []
    for value in values:
        at = bisect.bisect_left(tails, value)
        if at == len(tails):
            tails.append(value)
        else:
            tails[at] = value
    return len(tails)
