"""The feature columns a line's text alone decides, computed for a whole page at once.

:func:`text_columns` gives each line of a page the part of its row in
:data:`storyfold.clean.features.FEATURES` that depends on nothing but its text
(:data:`TEXT_COLUMNS`: length, case, punctuation, stop words, link, caption and
call-to-action markers), then three flags the running heading columns are made
of (:data:`HEAD_FLAGS`).  ``repeats`` is left at 0: it counts the line's copies
in the page, which the caller knows.

Every column is defined per line (a findall of the line's words, a search for
a pattern, a count), and that is how the model was trained.  Done line by line
in Python, those definitions cost most of the cleaner's time, so here they are
computed for the page at once: one findall of the words of all lines, one map
of a table of word kinds over them, numpy over the page's code points for the
character counts, and a regex search only on the few lines a cheap test leaves.
tests/test_clean_features.py checks every column against its plain per-line
definition, on made-up pages and on the seed pages.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Sequence
from itertools import repeat

import numpy as np
import numpy.typing as npt

from storyfold.clean.rules import Line

TEXT_COLUMNS = (
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
"""The columns that describe one line on its own, in their order in FEATURES."""
HEAD_FLAGS = ("comment_head", "footer_head", "related_head")
"""After the text columns: the line is a short comment, footer or related-links heading."""
_C = {name: i for i, name in enumerate((*TEXT_COLUMNS, *HEAD_FLAGS))}
WIDTH = len(_C)

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
# Call-to-action hits: a findall of ``\b(?:subscribe|sign (?:up|in)|log ?in|...)\b``
# on the lower-cased line.  Every alternative is whole \w+ words, so the count
# is the words that equal a one-word alternative plus the matches of the rest
# (phrases and a prefix), which only lines holding a phrase's first word or
# the prefix need searched for.
_CTA_WORDS = frozenset(
    """
    subscribe login register click tap download follow share newsletter cookie cookies
    sponsored privacy terms copyright app reply comment comments watch listen podcast shop buy
    deal offer premium account menu search home
    """.split()  # noqa: SIM905
)
_CTA_MORE = re.compile(
    r"\b(?:sign (?:up|in)|log in|rights reserved|read more|see more|view all|load more|"
    r"free trial|advertis\w*)\b"
)
_CTA_MORE_LEADS = frozenset({"sign", "log", "rights", "read", "see", "view", "load", "free"})
# Caption hits: a findall of ``\b(?:photo|...|via)\b|/|©`` on the lower-cased
# line, that is these words plus the slashes and copyright signs.
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
# alternatives are whole \w+ words): only such lines are searched.
_COMMENT_HEAD_WORDS = frozenset(
    {"comment", "comments", "response", "responses", "replies", "reply", "discussion"}
    | {"conversation", "think"}
)
_RELATED_HEAD_WORDS = frozenset(
    {"related", "more", "recommended", "most", "trending", "also", "popular", "latest"}
    | {"stories"}
)
# Headings are short: a longer line that names comments is prose about them.
_HEAD_MAX_WORDS = 8
_TIME_AGO = re.compile(r"\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?)\s+ago\b")
_NUMBERED = re.compile(r"^\(?\d{1,2}[.)]\s")
# A capital that starts a word: ``(?<!\w)[A-ZÀ-ÖØ-ÞΑ-ΩА-Я]``, written to begin
# with the character set (the lookbehind then checks the character before it),
# which lets the regex engine skip to capitals: three times faster per line.
_CAPITALISED = re.compile(r"[A-ZÀ-ÖØ-ÞΑ-ΩА-Я](?<!\w.)")
# Call-to-action and caption counts are only taken on lines of up to this
# many words (a paragraph mentioning a photo is not a caption).
_CTA_MAX_TOKENS = 40
_CAPTION_MAX_TOKENS = 80

_WORD = re.compile(r"\w+")
_WORD_OR_BREAK = re.compile(r"\w+|\n")
# What a word is, as bits, for one map over the page's words; "\n" ends a line.
_STOP, _CTA, _CAPTION, _CTA_LEAD, _COMMENT_WORD, _RELATED_WORD, _BREAK = (1 << k for k in range(7))
_KIND: dict[str, int] = {"\n": _BREAK}
for _bit, _words in (
    (_STOP, _STOP_WORDS),
    (_CTA, _CTA_WORDS),
    (_CAPTION, _CAPTION_WORDS),
    (_CTA_LEAD, _CTA_MORE_LEADS),
    (_COMMENT_WORD, _COMMENT_HEAD_WORDS),
    (_RELATED_WORD, _RELATED_HEAD_WORDS),
):
    for _word in _words:
        _KIND[_word] = _KIND.get(_word, 0) | _bit
del _bit, _words, _word

_SHAPE = operator.attrgetter("ends", "bullet", "fragment", "short", "headline", "dek", "prose")


def text_columns(lines: Sequence[Line], lows: Sequence[str]) -> npt.NDArray[np.float32]:
    """The :data:`TEXT_COLUMNS` and :data:`HEAD_FLAGS` of each line (``lows``: lower-cased)."""
    n = len(lines)
    out = np.zeros((n, WIDTH), dtype=np.float32)
    if n == 0:
        return out
    texts = [line.text for line in lines]
    joined_low = "\n".join(lows)
    stop, cta, caption, lead, comment, related, length, n_words = _word_sums(lows, joined_low)
    n_tok = np.maximum(n_words, 1)  # as ``len(_WORD.findall(low)) or 1``
    upper, letters, digit, punct, comma, separator, dotted, quote, slash, first, last = (
        _char_counts(texts)
    )

    out[:, _C["log_words"]] = [math.log1p(line.words) for line in lines]
    out[:, _C["log_chars"]] = [math.log1p(len(text)) for text in texts]
    out[:, _C["ends"] : _C["prose"] + 1] = list(map(_SHAPE, lines))
    # Shares in float32, as the model was trained with them.
    size = np.maximum([len(text) for text in texts], 1).astype(np.float32)
    out[:, _C["upper_ratio"]] = upper.astype(np.float32) / np.maximum(
        letters.astype(np.float32), 1.0
    )
    out[:, _C["first_upper"]] = [text[:1].isupper() for text in texts]
    capitals = np.array([len(_CAPITALISED.findall(text)) for text in texts])
    out[:, _C["title_case"]] = capitals / n_tok
    out[:, _C["digit_ratio"]] = digit.astype(np.float32) / size
    out[:, _C["punct_ratio"]] = punct.astype(np.float32) / size
    out[:, _C["stop_ratio"]] = stop / n_tok
    out[:, _C["comma_rate"]] = comma / n_tok
    out[:, _C["separator"]] = separator > 0
    # Every link pattern holds one of these; most lines hold none and are not searched.
    linked = [
        ("@" in low or "#" in low or "://" in low or "www." in low or ".com" in low)
        and bool(_LINKY.search(low))
        for low in lows
    ]
    out[:, _C["linky"]] = (dotted > 0) & np.array(linked)
    out[:, _C["colon_end"]] = last == ord(":")
    out[:, _C["quote"]] = quote > 0
    more = lead > 0
    if "advertis" in joined_low:
        more |= np.array(["advertis" in low for low in lows])
    for i in np.flatnonzero(more & (n_tok <= _CTA_MAX_TOKENS)).tolist():
        cta[i] += len(_CTA_MORE.findall(lows[i]))
    out[:, _C["cta_hits"]] = np.where(n_tok <= _CTA_MAX_TOKENS, cta, 0)
    out[:, _C["caption_hits"]] = np.where(n_tok <= _CAPTION_MAX_TOKENS, caption + slash, 0)
    if "ago" in joined_low:
        out[:, _C["time_ago"]] = ["ago" in low and bool(_TIME_AGO.search(low)) for low in lows]
    # A numbered line starts with "(" or a digit (\d: any script's digits).
    numbered = np.flatnonzero(
        (first == ord("(")) | ((first >= 48) & (first <= 57)) | (first >= 128)
    )
    out[numbered, _C["numbered"]] = [bool(_NUMBERED.match(texts[i])) for i in numbered.tolist()]
    out[:, _C["question"]] = last == ord("?")
    out[:, _C["mean_token_length"]] = length / n_tok

    short = np.array([line.words <= _HEAD_MAX_WORDS for line in lines])
    for flag, pattern, candidates in (
        ("comment_head", _COMMENT_HEAD, short & (comment > 0)),
        ("footer_head", _FOOTER_HEAD, short),
        ("related_head", _RELATED_HEAD, short & (related > 0)),
    ):
        rows = np.flatnonzero(candidates).tolist()
        out[rows, _C[flag]] = [bool(pattern.search(lows[i])) for i in rows]
    return out


# The word kinds _word_sums adds up per line, in its order.
_SUMMED_KINDS = np.array([_STOP, _CTA, _CAPTION, _CTA_LEAD, _COMMENT_WORD, _RELATED_WORD])


def _word_sums(lows: Sequence[str], joined_low: str) -> npt.NDArray[np.int64]:
    """Per line, from its \\w+ words: how many are of each of :data:`_SUMMED_KINDS`,
    their total length, and how many there are (rows of the result, in that order).
    """
    n = len(lows)
    if joined_low.count("\n") == n - 1:  # each line's words, then "\n"
        tokens = _WORD_OR_BREAK.findall(joined_low + "\n")
    else:  # a line holds a line break itself: find each line's words on their own
        tokens = []
        for low in lows:
            tokens += _WORD.findall(low)
            tokens.append("\n")
    kinds = np.fromiter(map(_KIND.get, tokens, repeat(0)), dtype=np.int64, count=len(tokens))
    values = np.empty((len(_SUMMED_KINDS) + 1, len(tokens)), dtype=np.int64)
    values[:-1] = (kinds & _SUMMED_KINDS[:, None]) > 0
    values[-1] = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    cum = np.zeros((len(values), len(tokens) + 1), dtype=np.int64)
    values.cumsum(axis=1, out=cum[:, 1:])
    ends = np.flatnonzero(kinds & _BREAK)  # the "\n" after each line's words
    starts = np.empty_like(ends)
    starts[0], starts[1:] = 0, ends[:-1] + 1
    sums: npt.NDArray[np.int64] = np.empty((len(values) + 1, n), dtype=np.int64)
    sums[:-1] = cum[:, ends] - cum[:, starts]
    sums[-1] = ends - starts
    return sums


def _char_counts(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    """Per line, counts over its characters (rows of the result, in this order):
    upper-case letters, letters, digits, punctuation, commas, " | "-like
    separators, ".", "@" or "#", quotes, "/" or "©"; then the code of its first
    and of its last character (0 for an empty line).

    Letter case is read for Latin, Greek and Cyrillic; other scripts count as
    letters without case.  All over the page's code points with numpy.
    """
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le"), dtype=np.uint32)
    size = np.array([len(text) for text in texts], dtype=np.int64)
    at = np.zeros(len(texts), dtype=np.int64)  # where each line starts in codes
    np.cumsum(size[:-1] + 1, out=at[1:])
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
    # The "\n" between lines is in no class, so sums from each line's start to
    # the next line's are the line's own.
    masks = np.zeros((9, len(codes) + 1), dtype=np.int64)  # a 0 past the end
    masks[0, :-1] = upper
    masks[1, :-1] = letters
    masks[2, :-1] = digit
    masks[3, :-1] = ~(letters | digit | space)
    masks[4, :-1] = codes == ord(",")
    mid = codes[1:-1]  # " | ", " · " or " • " starts at a space
    masks[5, :-3] = (
        (codes[:-2] == 32)
        & ((mid == ord("|")) | (mid == 0xB7) | (mid == 0x2022))
        & (codes[2:] == 32)
    )
    masks[6, :-1] = (codes == ord(".")) | (codes == ord("@")) | (codes == ord("#"))
    masks[7, :-1] = (
        (codes == ord('"'))
        | (codes == 0x201C)
        | (codes == 0x201D)
        | (codes == 0xAB)
        | (codes == 0xBB)
    )
    masks[8, :-1] = (codes == ord("/")) | (codes == ord("©"))
    counts = np.empty((11, len(texts)), dtype=np.int64)
    counts[:9] = np.add.reduceat(masks, at, axis=1)
    padded = np.append(codes, 0)  # an empty last line starts past the end
    counts[9] = np.where(size > 0, padded[at], 0)
    counts[10] = np.where(size > 0, padded[np.maximum(at + size - 1, 0)], 0)
    return counts
