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
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

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

# Function words of the languages most news is written in: prose is dense in
# them, menus, headlines and credits are not.
_STOP_WORDS = frozenset(
    """
    a an the and or but of to in on at for with from by as is are was were be been has have
    had it its this that these those he she they we you i his her their our not no will would
    can could should may also than then there which who whom what when where how about after
    before into over under up out said says if so do does did more most very just der die das
    und oder ein eine nicht ist sind war mit von zu im den dem des auf für sich auch le la les
    et ou un une des du est sont dans pour par sur pas que qui au aux avec il elle el los las
    y o es son del por para con una que en se lo al il lo gli e di da che per con non sono è o
    os as e um uma não são do da dos das em para com que de het een en van op te dat niet zijn
    met voor
    """.split()  # noqa: SIM905
)
_WORD = re.compile(r"\w+")
# Call-to-action and caption words, counted as the tokens of the line that
# equal one (plus the phrases and prefixes below): the same count as a findall
# of the patterns ``\b(?:subscribe|sign (?:up|in)|...)\b`` and
# ``\b(?:photo|...)\b|/|©`` the model was trained with, because every
# alternative is whole \w+ tokens (tests/test_clean_features.py checks the
# equivalence), and several times cheaper than scanning each line again.
_CTA_WORDS = frozenset(
    """
    subscribe login register click tap download follow share newsletter cookie cookies
    sponsored privacy terms copyright app reply comment comments watch listen podcast shop buy
    deal offer premium account menu search home
    """.split()  # noqa: SIM905
)
# The alternatives that are not one fixed token: phrases, and a prefix.  A line
# only needs the search when it holds a phrase's first word or the prefix.
_CTA_MORE = re.compile(
    r"\b(?:sign (?:up|in)|log in|rights reserved|read more|see more|view all|load more|"
    r"free trial|advertis\w*)\b"
)
_CTA_MORE_LEADS = frozenset({"sign", "log", "rights", "read", "see", "view", "load", "free"})
_CAPTION_WORDS = frozenset(
    """
    photo photograph image picture illustration credit getty shutterstock istock reuters afp
    ap file caption courtesy via
    """.split()  # noqa: SIM905
)
_LINKY = re.compile(r"https?://|www\.|\.com\b|@\w|#\w")
_COMMENT_HEAD = re.compile(
    r"\b(?:comments?|responses?|replies|leave a reply|join the (?:discussion|conversation)|"
    r"discussion|reader comments|what do you think)\b"
)
_FOOTER_HEAD = re.compile(
    r"all rights reserved|©|copyright|privacy policy|terms of (?:use|service)|about us|"
    r"contact us|cookie"
)
_RELATED_HEAD = re.compile(
    r"\b(?:related|read more|more (?:from|stories|news|on)|recommended|"
    r"most (?:read|popular|viewed)|"
    r"trending|you may also like|also read|see also|popular|latest|top stories|more like this)\b"
)
# A comment or related-links heading holds one of these words (each pattern's
# alternatives are whole \w+ tokens): a line without one is spared the search.
_COMMENT_HEAD_WORDS = frozenset(
    {"comment", "comments", "response", "responses", "replies", "reply", "discussion"}
    | {"conversation", "think"}
)
_RELATED_HEAD_WORDS = frozenset(
    {"related", "more", "recommended", "most", "trending", "also", "popular", "latest"}
    | {"stories"}
)
_TIME_AGO = re.compile(r"\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?)\s+ago\b")
_NUMBERED = re.compile(r"^\(?\d{1,2}[.)]\s")
_QUOTE = re.compile(r'["“”«»]')

# Columns that describe one line on its own; neighbour columns repeat a few.
_OWN = (
    "log_words",
    "log_chars",
    "ends",
    "bullet",
    "fragment",
    "short",
    "headline",
    "dek_shape",
    "prose",
    "upper_ratio",
    "first_upper",
    "title_case",
    "digit_ratio",
    "punct_ratio",
    "stop_ratio",
    "comma_rate",
    "separator",
    "linky",
    "colon_end",
    "quote",
    "cta_hits",
    "caption_hits",
    "time_ago",
    "numbered",
    "question",
    "repeats",
    "mean_token_length",
)
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
# Flags :func:`_own` returns after the _OWN columns: short heading lines.
_HEAD_FLAGS = ("comment_head", "footer_head", "related_head")
_GROUP_COL = {group: _COL[f"rule_{group}"] for group in _GROUPS}
_NEIGHBOUR_COLS = [_COL[name] for name in _NEIGHBOUR]


# A capital that starts a word: ``(?<!\w)[A-ZÀ-ÖØ-ÞΑ-ΩА-Я]``, written to begin
# with the character set (the lookbehind then checks the character before it),
# which lets the regex engine skip to capitals: three times faster per line.
_CAPITALISED = re.compile(r"[A-ZÀ-ÖØ-ÞΑ-ΩА-Я](?<!\w.)")


def _own(line: Line, low: str) -> list[float]:
    """The columns of one line that need its text (character classes come later).

    After the :data:`_OWN` columns come three flags that are not features but
    what the running head columns are made of (:data:`_HEAD_FLAGS`): the line
    is a short comment, footer or related-links heading.  Everything here is a
    function of the text alone, so a later pass reuses it; ``repeats``, which
    counts the line's copies in the page, is filled in per page.
    """
    text = line.text
    tokens = _WORD.findall(low)
    n_tok = len(tokens) or 1
    last = text[-1:]
    if n_tok <= 40:
        cta = sum(map(_CTA_WORDS.__contains__, tokens))
        if "advertis" in low or not _CTA_MORE_LEADS.isdisjoint(tokens):
            cta += len(_CTA_MORE.findall(low))
    else:
        cta = 0
    if n_tok <= 80:
        caption = sum(map(_CAPTION_WORDS.__contains__, tokens)) + low.count("/") + low.count("©")
    else:
        caption = 0
    head = line.words <= 8
    return [
        math.log1p(line.words),
        math.log1p(len(text)),
        float(line.ends),
        float(line.bullet),
        float(line.fragment),
        float(line.short),
        float(line.headline),
        float(line.dek),
        float(line.prose),
        0.0,  # upper_ratio
        float(text[:1].isupper()),
        len(_CAPITALISED.findall(text)) / n_tok,
        0.0,  # digit_ratio
        0.0,  # punct_ratio
        sum(map(_STOP_WORDS.__contains__, tokens)) / n_tok,
        text.count(",") / n_tok,
        float(" | " in text or " · " in text or " • " in text),
        float(("." in low or "@" in low or "#" in low) and bool(_LINKY.search(low))),
        float(last == ":"),
        float(bool(_QUOTE.search(text))),
        float(cta),
        float(caption),
        float("ago" in low and bool(_TIME_AGO.search(low))),
        float(bool(_NUMBERED.match(text))),
        float(last == "?"),
        0.0,  # repeats
        sum(map(len, tokens)) / n_tok,
        # _HEAD_FLAGS
        float(
            head and not _COMMENT_HEAD_WORDS.isdisjoint(tokens) and bool(_COMMENT_HEAD.search(low))
        ),
        float(head and bool(_FOOTER_HEAD.search(low))),
        float(
            head and not _RELATED_HEAD_WORDS.isdisjoint(tokens) and bool(_RELATED_HEAD.search(low))
        ),
    ]


def _char_classes(lines: Sequence[Line]) -> npt.NDArray[np.float32]:
    """Per line: share of upper-case letters, of digits, of punctuation (numpy over the page).

    Letter case is read for Latin, Greek and Cyrillic; other scripts count as
    letters without case.
    """
    texts = [line.text for line in lines]
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le"), dtype=np.uint32)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    upper = (
        ((codes >= 65) & (codes <= 90))
        | ((codes >= 0xC0) & (codes <= 0xDE) & (codes != 0xD7))
        | ((codes >= 0x391) & (codes <= 0x3A9))
        | ((codes >= 0x410) & (codes <= 0x42F))
    )
    lower = (
        ((codes >= 97) & (codes <= 122))
        | ((codes >= 0xDF) & (codes <= 0xFF) & (codes != 0xF7))
        | ((codes >= 0x3B1) & (codes <= 0x3C9))
        | ((codes >= 0x430) & (codes <= 0x44F))
    )
    other = (
        (codes >= 0x100)
        & ~((codes >= 0x2000) & (codes <= 0x2BFF))
        & ~((codes >= 0x3000) & (codes <= 0x303F))
        & ~((codes >= 0xFE30) & (codes <= 0xFF20))
    )
    digit = (codes >= 48) & (codes <= 57)
    space = (codes == 32) | (codes == 10)
    letters = upper | lower | other
    punct = ~(letters | digit | space)
    sums = np.add.reduceat(
        np.stack([upper, letters, digit, punct]).astype(np.float32), starts, axis=1
    )
    # reduceat also sums the newline after each line; it is neither class.
    size = np.maximum(lengths, 1).astype(np.float32)
    out = np.zeros((len(lines), 3), dtype=np.float32)
    out[:, 0] = sums[0] / np.maximum(sums[1], 1.0)
    out[:, 1] = sums[2] / size
    out[:, 2] = sums[3] / size
    return out


def line_features(
    lines: Sequence[Line], title: str | None = None, memo: dict[str, list[float]] | None = None
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
        rows = [_own(line, low) for line, low in zip(lines, lows, strict=True)]
    else:
        rows = []
        for line, low in zip(lines, lows, strict=True):
            row = memo.get(line.text)
            if row is None:
                row = memo[line.text] = _own(line, low)
            rows.append(row)
    own = np.array(rows, dtype=np.float32)
    own[:, [_OWN.index("upper_ratio"), _OWN.index("digit_ratio"), _OWN.index("punct_ratio")]] = (
        _char_classes(lines)
    )
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
    x[:, _COL["window3_prose"]] = _window_mean(prose, 3)
    x[:, _COL["window10_prose"]] = _window_mean(prose, 10)
    x[:, _COL["window3_words"]] = np.log1p(_window_mean(words, 3))
    x[:, _COL["window10_keep"]] = _window_mean(keep, 10)
    x[:, _COL["in_main_block"]] = _main_block(prose_words)
    _head_columns(x, own[:, len(_OWN) : len(_OWN) + len(_HEAD_FLAGS)] > 0, prose > 0)

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


def _window_mean(values: npt.NDArray[np.float32], half: int) -> npt.NDArray[np.float32]:
    """Mean of ``values`` over the lines within ``half`` of each line (edges shrink)."""
    n = len(values)
    cum = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
    lo = np.clip(np.arange(n) - half, 0, n)
    hi = np.clip(np.arange(n) + half + 1, 0, n)
    mean: npt.NDArray[np.float32] = ((cum[hi] - cum[lo]) / (hi - lo)).astype(np.float32)
    return mean


def _distance_to(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.float32]:
    """Lines from each line to the nearest line where ``mask`` holds (n if none)."""
    n = len(mask)
    where = np.flatnonzero(mask)
    if len(where) == 0:
        return np.full(n, float(n), dtype=np.float32)
    idx = np.arange(n)
    pos = np.searchsorted(where, idx)
    left = np.abs(idx - where[np.clip(pos - 1, 0, len(where) - 1)])
    right = np.abs(where[np.clip(pos, 0, len(where) - 1)] - idx)
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
