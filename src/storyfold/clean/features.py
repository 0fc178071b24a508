"""Features of the lines of a page for the learned line classifier.

Each non-empty line of a page (as the rules read it: normalised, shouted runs
cut) becomes one row of numbers: its own shape (length, case, punctuation,
stop-word density, link, caption and call-to-action markers), its place in the
page (position, distance to the prose around it, a comment or footer heading
above it), its neighbours' shape, how often it repeats in the page, and the
verdict of the rules (:mod:`storyfold.clean.rules`) as one-hot columns.

The columns are named in :data:`FEATURES`; the shipped model records the names
it was trained on and refuses a different list, so adding a feature means
re-running ``scripts/train_line_classifier.py``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from storyfold.clean.line_columns import HEAD_FLAGS, TEXT_COLUMNS, text_columns
from storyfold.clean.rules import Line

# The rules' reasons, grouped: the groups are what tells body from boilerplate.
_REASON_GROUPS: dict[str | None, str] = {
    None: "keep",
    "title": "title",
    "dek": "dek",
    "byline": "byline",
    "date": "date",
    "navigation": "navigation",
    "related-link": "related",
    "caption": "caption",
    "credit": "caption",
    "comments": "comments",
    "duplicate": "duplicate",
    "video-label": "video",
    "call-to-action": "prompt",
    "newsletter-prompt": "prompt",
    "app-prompt": "prompt",
    "ui-control": "prompt",
    "advertisement": "prompt",
    "legal": "legal",
    "cross-promotion": "related",
    "markup": "keep",
}
_GROUPS = sorted(set(_REASON_GROUPS.values()))

# Columns that describe one line on its own; neighbour columns repeat a few.
_OWN = TEXT_COLUMNS
_NEIGHBOUR = ("log_words", "ends", "prose", "short", "headline", "stop_ratio", "rule_keep")
_OFFSETS = (-2, -1, 1, 2)
FEATURES: tuple[str, ...] = (
    *_OWN,
    *(f"rule_{group}" for group in _GROUPS),
    "rule_keep",
    "rel_pos",
    "rel_chars",
    "log_index",
    "log_index_from_end",
    "log_lines",
    "prose_before",
    "prose_after_share",
    "log_dist_prose",
    "window3_prose",
    "window10_prose",
    "window3_words",
    "window10_keep",
    "comment_head_above",
    "footer_head_above",
    "related_head_dist",
    "prose_since_related",
    "in_main_block",
    "same_as_title",
    *(f"{name}@{offset:+d}" for offset in _OFFSETS for name in _NEIGHBOUR),
)
"""The columns of :func:`line_features`, in order."""

_COL = {name: i for i, name in enumerate(FEATURES)}
_REPEATS = _OWN.index("repeats")
_GROUP_COL = {group: _COL[f"rule_{group}"] for group in _GROUPS}
_NEIGHBOUR_COLS = [_COL[name] for name in _NEIGHBOUR]


def line_features(
    lines: Sequence[Line],
    title: str | None = None,
    memo: dict[str, npt.NDArray[np.float32]] | None = None,
) -> npt.NDArray[np.float32]:
    """The feature matrix of a page's lines (one row per line, :data:`FEATURES`).

    ``memo`` keeps the columns of a line that depend on its text alone, for a
    later pass over the same page's body.
    """
    n = len(lines)
    x = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if n == 0:
        return x
    lows = [line.text.lower() for line in lines]
    if memo is None:
        own = text_columns(lines, lows)
    else:
        known = [memo.get(line.text) for line in lines]
        new = [i for i, row in enumerate(known) if row is None]
        if new:
            fresh = text_columns([lines[i] for i in new], [lows[i] for i in new])
            for i, row in zip(new, fresh, strict=True):
                known[i] = memo[lines[i].text] = row
        own = np.array(known, dtype=np.float32)
    counts = Counter(lows)
    own[:, _REPEATS] = [math.log(counts[low]) for low in lows]
    x[:, : len(_OWN)] = own[:, : len(_OWN)]
    keep = np.array([line.reason is None for line in lines], dtype=np.float32)
    groups = [_GROUP_COL[_REASON_GROUPS.get(line.reason, "prompt")] for line in lines]
    x[np.arange(n), groups] = 1.0
    x[:, _COL["rule_keep"]] = keep

    idx = np.arange(n, dtype=np.float32)
    chars = np.array([len(line.text) for line in lines], dtype=np.float32)
    cum_chars = np.cumsum(chars) - chars
    x[:, _COL["rel_pos"]] = idx / max(n - 1, 1)
    x[:, _COL["rel_chars"]] = cum_chars / max(float(chars.sum()), 1.0)
    x[:, _COL["log_index"]] = np.log1p(idx)
    x[:, _COL["log_index_from_end"]] = np.log1p(n - 1 - idx)
    x[:, _COL["log_lines"]] = math.log1p(n)

    prose = own[:, _OWN.index("prose")]
    words = np.array([line.words for line in lines], dtype=np.float32)
    prose_words = prose * words
    total = float(prose_words.sum()) or 1.0
    before = np.cumsum(prose_words) - prose_words
    x[:, _COL["prose_before"]] = before / total
    x[:, _COL["prose_after_share"]] = (total - before - prose_words) / total
    x[:, _COL["log_dist_prose"]] = np.log1p(_distance_to(prose > 0))
    near3 = _window_means(np.stack([prose, words]), 3)
    near10 = _window_means(np.stack([prose, keep]), 10)
    x[:, _COL["window3_prose"]] = near3[0]
    x[:, _COL["window10_prose"]] = near10[0]
    x[:, _COL["window3_words"]] = np.log1p(near3[1])
    x[:, _COL["window10_keep"]] = near10[1]
    x[:, _COL["in_main_block"]] = _main_block(prose_words)
    _head_columns(x, own[:, len(_OWN) : len(_OWN) + len(HEAD_FLAGS)] > 0, prose > 0)

    if title:
        folded_title = " ".join(title.lower().split())
        x[:, _COL["same_as_title"]] = [low == folded_title for low in lows]

    own_neighbour = x[:, _NEIGHBOUR_COLS]
    for k, offset in enumerate(_OFFSETS):
        start = _COL[f"{_NEIGHBOUR[0]}@{offset:+d}"]
        cols = slice(start, start + len(_NEIGHBOUR))
        if offset < 0 and -offset < n:
            x[-offset:, cols] = own_neighbour[:offset]
        elif offset > 0 and offset < n:
            x[:-offset, cols] = own_neighbour[offset:]
        del k
    return x


def _head_columns(
    x: npt.NDArray[np.float32], heads: npt.NDArray[np.bool_], prose: npt.NDArray[np.bool_]
) -> None:
    """The columns that read the headings above a line (:data:`_HEAD_FLAGS`).

    A heading counts for the lines after it, not for itself: a comment or
    footer heading anywhere above, the distance to the last related-links
    heading above (10 when there is none) and the prose lines since it (since
    the top when there is none; the heading line itself counts when it is
    prose).  Logarithms go through :func:`math.log1p`, as the training code
    computed them, so that the values are the same to the last bit.
    """
    n = len(x)
    above = np.zeros((n, 3), dtype=bool)
    above[1:] = np.logical_or.accumulate(heads[:-1], axis=0)
    x[:, _COL["comment_head_above"]] = above[:, 0]
    x[:, _COL["footer_head_above"]] = above[:, 1]
    idx = np.arange(n)
    last = np.full(n, -1)
    last[1:] = np.maximum.accumulate(np.where(heads[:-1, 2], idx[:-1], -1))
    prose_before = np.concatenate(([0], np.cumsum(prose)))  # prose lines in [0, i)
    since = prose_before[idx] - np.where(last >= 0, prose_before[np.maximum(last, 0)], 0)
    log1p = np.array([math.log1p(k) for k in range(n + 1)])
    x[:, _COL["related_head_dist"]] = np.where(last >= 0, log1p[idx - last], 10.0)
    x[:, _COL["prose_since_related"]] = log1p[since]


def _window_means(values: npt.NDArray[np.float32], half: int) -> npt.NDArray[np.float32]:
    """Mean of each row of ``values`` over the lines within ``half`` of each line
    (edges shrink), summed in float64."""
    n = values.shape[1]
    cum = np.zeros((len(values), n + 1))
    values.cumsum(axis=1, dtype=np.float64, out=cum[:, 1:])
    idx = np.arange(n)
    lo = np.maximum(idx - half, 0)
    hi = np.minimum(idx + half + 1, n)
    mean: npt.NDArray[np.float32] = ((cum[:, hi] - cum[:, lo]) / (hi - lo)).astype(np.float32)
    return mean


def _distance_to(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.float32]:
    """Lines from each line to the nearest line where ``mask`` holds (n if none)."""
    n = len(mask)
    where = np.flatnonzero(mask)
    if len(where) == 0:
        return np.full(n, float(n), dtype=np.float32)
    idx = np.arange(n)
    pos = np.searchsorted(where, idx)
    left = np.abs(idx - where[np.maximum(pos - 1, 0)])
    right = np.abs(where[np.minimum(pos, len(where) - 1)] - idx)
    nearest: npt.NDArray[np.float32] = np.minimum(left, right).astype(np.float32)
    return nearest


def _main_block(prose_words: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """1 for lines inside the page's densest run of prose, else 0.

    The run is the span with the largest sum of (prose words - a small cost per
    line), found in one pass (maximum subarray): menus and link lists between
    paragraphs cost less than the prose around them brings.
    """
    gain = prose_words - 8.0
    best = cur = 0.0
    best_lo = best_hi = cur_lo = 0
    found = False
    for i, g in enumerate(gain.tolist()):
        if cur <= 0:
            cur, cur_lo = g, i
        else:
            cur += g
        if cur > best or not found:
            best, best_lo, best_hi, found = cur, cur_lo, i + 1, True
    out = np.zeros(len(prose_words), dtype=np.float32)
    if found and best > 0:
        out[best_lo:best_hi] = 1.0
    return out
