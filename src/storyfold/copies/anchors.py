"""Anchors: what survives translation into any language, for pairs the
sentence embedder does not cover.

A translation keeps its source's numbers, names and acronyms, sentence by
sentence, and roughly each sentence's length (Gale and Church's observation).
Two independent reports of one event share names too, but spread over other
sentences, with other numbers and in another order.  So a sentence's anchors
are its numbers (digits only, two or more: "1,250" and "1.250" agree) and its
capitalised words and acronyms not opening the sentence, cut to their first
five letters (Icelandic "Reykjavíkur" and English "Reykjavik" keep
"reykj"); two sentences match when they share most of their anchors and their
lengths agree.
"""

from __future__ import annotations

import re
import unicodedata

from storyfold.copies.align import longest_increasing

_TOKEN = re.compile(r"\d[\d.,\s]*\d|\d|[^\W\d_]+", re.UNICODE)
_STEM = 5


def _fold(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in plain if not unicodedata.combining(c)).replace("ð", "d")


def anchors(sentence: str) -> frozenset[str]:
    """The sentence's numbers and names (see the module's docstring)."""
    out: set[str] = set()
    for position, match in enumerate(_TOKEN.finditer(sentence)):
        token = match.group()
        if token[0].isdigit():
            digits = re.sub(r"\D", "", token)
            if len(digits) >= 2:
                out.add(digits)
        elif position > 0 and token[0].isupper() and len(token) >= 2:
            out.add(_fold(token)[:_STEM])
    return frozenset(out)


def aligned_by_anchors(
    a: list[str], b: list[str], min_overlap: float, length_ratio: float
) -> tuple[int, int]:
    """``(aligned, anchored)``: how many of ``a``'s sentences that have anchors
    match a sentence of ``b`` in order, and how many have anchors.

    A sentence matches the sentence of ``b`` sharing the largest share of its
    anchors (of the smaller set, at least ``min_overlap``, and at least two
    anchors in common unless it has only one) whose length in characters is
    within a factor ``length_ratio`` of its own.
    """
    b_anchors = [anchors(s) for s in b]
    matched: list[int] = []
    anchored = 0
    for sentence in a:
        own = anchors(sentence)
        if not own:
            continue
        anchored += 1
        best, best_share = -1, 0.0
        for position, (other, theirs) in enumerate(zip(b, b_anchors, strict=True)):
            common = len(own & theirs)
            if not common or (common < 2 and min(len(own), len(theirs)) > 1):
                continue
            ratio = max(len(sentence), 1) / max(len(other), 1)
            if not 1 / length_ratio <= ratio <= length_ratio:
                continue
            share = common / min(len(own), len(theirs))
            if share > best_share:
                best, best_share = position, share
        if best_share >= min_overlap:
            matched.append(best)
    return longest_increasing(matched), anchored
