"""The line features compute what the shipped model was trained on.

The model file records the feature names, not how each is computed; the
page-at-once forms in :mod:`storyfold.clean.line_columns` and
:mod:`storyfold.clean.features` are checked here against the plain per-line
definitions the model was trained with (kept below as the reference), on
made-up pages built from the words and characters that matter and on the seed
pages, so that a change which moves a value fails here rather than silently
shifting the classifier.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyfold.clean.features import FEATURES, line_features
from storyfold.clean.line_columns import _STOP_WORDS, TEXT_COLUMNS, text_columns
from storyfold.clean.rules import Line
from storyfold.clean.text import rule_verdicts

from .test_clean_text import SEEDS, needs_seeds

# The plain definitions the model was trained with: one findall or search per line.
_WORD = re.compile(r"\w+")
_CTA = re.compile(
    r"\b(?:subscribe|sign (?:up|in)|log ?in|register|click|tap|download|follow|share|"
    r"newsletter|cookies?|advertis\w*|sponsored|privacy|terms|copyright|rights reserved|"
    r"app|reply|comments?|read more|see more|view all|load more|watch|listen|podcast|"
    r"shop|buy|deal|offer|free trial|premium|account|menu|search|home)\b"
)
_CAPTION = re.compile(
    r"\b(?:photo|photograph|image|picture|illustration|credit|getty|shutterstock|istock|"
    r"reuters|afp|ap|file|caption|courtesy|via)\b|/|©"
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
_TIME_AGO = re.compile(r"\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?)\s+ago\b")
_NUMBERED = re.compile(r"^\(?\d{1,2}[.)]\s")
_CAPITALISED = re.compile(r"(?<!\w)[A-ZÀ-ÖØ-ÞΑ-ΩА-Я]")


def _char_classes(text: str) -> list[float]:
    """Shares of upper-case letters (of letters), digits and punctuation, in float32."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
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
    size = np.float32(max(len(text), 1))
    return [
        np.float32(upper.sum()) / max(np.float32(letters.sum()), np.float32(1.0)),
        np.float32(digit.sum()) / size,
        np.float32(punct.sum()) / size,
    ]


def plain_row(line: Line) -> list[float]:
    """One line's text columns and heading flags, as first defined (``repeats`` 0)."""
    text = line.text
    low = text.lower()
    tokens = _WORD.findall(low)
    n_tok = len(tokens) or 1
    last = text[-1:]
    upper_ratio, digit_ratio, punct_ratio = _char_classes(text)
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
        upper_ratio,
        float(text[:1].isupper()),
        len(_CAPITALISED.findall(text)) / n_tok,
        digit_ratio,
        punct_ratio,
        sum(map(_STOP_WORDS.__contains__, tokens)) / n_tok,
        text.count(",") / n_tok,
        float(" | " in text or " · " in text or " • " in text),
        float(("." in low or "@" in low or "#" in low) and bool(_LINKY.search(low))),
        float(last == ":"),
        float(any(q in text for q in '"“”«»')),
        float(len(_CTA.findall(low))) if n_tok <= 40 else 0.0,
        float(len(_CAPTION.findall(low))) if n_tok <= 80 else 0.0,
        float("ago" in low and bool(_TIME_AGO.search(low))),
        float(bool(_NUMBERED.match(text))),
        float(last == "?"),
        0.0,  # repeats: counted per page
        sum(map(len, tokens)) / n_tok,
        float(head and bool(_COMMENT_HEAD.search(low))),
        float(head and bool(_FOOTER_HEAD.search(low))),
        float(head and bool(_RELATED_HEAD.search(low))),
    ]


def assert_plain(lines: Sequence[Line]) -> None:
    got = text_columns(lines, [line.text.lower() for line in lines])
    expected = np.array([plain_row(line) for line in lines], dtype=np.float32).reshape(got.shape)
    for i, name in enumerate(TEXT_COLUMNS):
        assert np.array_equal(got[:, i], expected[:, i]), name
    assert np.array_equal(got, expected)


_WORDS = (
    *"""
    subscribe sign up in log login logins register click tap download follow share newsletter
    cookie cookies advertising advertisement advertiser sponsored privacy terms copyright rights
    reserved app apps reply comment comments read more see view all load free trial watch listen
    podcast shop buy deal offer premium account menu search home photo photograph photos image
    picture illustration credit getty shutterstock istock reuters afp ap file caption courtesy
    via the minister said Related stories popular from on news Sign Up İ ǅ x 2024
    response responses replies discussion conversation think recommended most trending also
    latest top like this what do you join leave a reader privacy policy contact us about
    """.split(),  # noqa: SIM905
    # the phrases, which random glue rarely puts together
    *("sign up", "sign in", "log in", "rights reserved", "read more", "see more", "view all"),
    *("load more", "free trial"),
)
_GLUE = [" ", " ", " ", "  ", "-", "/", "©", ".", ",", ": ", "_", "'", "é", " • ", " | "]


@st.composite
def lines_of_words(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_GLUE)), max_size=45))
    return "".join(part for pair in parts for part in pair).strip() or "x"


_MIXED = st.text(alphabet="aZzÀÖ×ØÞßΑΩωАЯя_1٣ .,:?-–|·•/©@#'\"“»()é\u0307\t中文", max_size=60)
_LINES = st.one_of(lines_of_words(), _MIXED.filter(str.strip))


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, min_size=1, max_size=12))
def test_text_columns_are_the_plain_definitions(texts: list[str]) -> None:
    assert_plain([Line(text) for text in texts])


@settings(max_examples=300, deadline=None)
@given(_LINES)
def test_one_line_pages_are_the_plain_definitions(text: str) -> None:
    # Alone, a line gets no help from a page-wide test another line passes.
    assert_plain([Line(text)])


@settings(max_examples=100, deadline=None)
@given(st.lists(_LINES, min_size=1, max_size=4))
def test_a_line_with_its_own_line_break_reads_the_same(texts: list[str]) -> None:
    assert_plain([Line(text.replace(" ", "\n", 1)) for text in texts])


def test_odd_lines_read_the_same() -> None:
    assert_plain([Line(text) for text in ("", "x", "(3) Three", "٣. Arabic", "a | b", "a.com")])


@needs_seeds
@pytest.mark.parametrize("name", sorted(path.stem for path in SEEDS.glob("*.txt")))
def test_seed_pages_read_the_same(name: str) -> None:
    assert_plain(rule_verdicts((SEEDS / f"{name}.txt").read_text("utf-8")).lines)


def _heads_by_loop(lines: list[Line]) -> list[tuple[float, ...]]:
    """The head columns as the training code first computed them: one running loop."""
    out = []
    comment_seen = footer_seen = False
    related_at = -1
    prose_since = 0
    for i, line in enumerate(lines):
        distance = math.log1p(i - related_at) if related_at >= 0 else 10.0
        out.append((float(comment_seen), float(footer_seen), distance, math.log1p(prose_since)))
        low = line.text.lower()
        if line.words <= 8:
            if _COMMENT_HEAD.search(low):
                comment_seen = True
            if _FOOTER_HEAD.search(low):
                footer_seen = True
            if _RELATED_HEAD.search(low):
                related_at, prose_since = i, 0
        if line.prose:
            prose_since += 1
    return out


_PAGE_LINES = (
    "Related stories",
    "Comments",
    "The minister said on Monday that the talks had gone well and would go on.",
    "Popular",
    "A short line.",
    "Read more",
    "The two sides met again in the capital and agreed to meet once more next week.",
    "Home",
    "Copyright 2024 The Paper",
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PAGE_LINES), min_size=1, max_size=30))
def test_head_columns_match_the_running_loop(texts: list[str]) -> None:
    lines = [Line(text) for text in texts]
    x = line_features(lines, None)
    names = ("comment_head_above", "footer_head_above", "related_head_dist", "prose_since_related")
    cols = [FEATURES.index(name) for name in names]
    expected = np.array(_heads_by_loop(lines), dtype=np.float32)
    assert np.array_equal(x[:, cols], expected)


def test_memo_gives_the_same_rows() -> None:
    lines = [Line(text) for text in (*_PAGE_LINES, *_PAGE_LINES[:3])]
    memo: dict[str, list[float]] = {}
    first = line_features(lines, "Popular", memo)
    again = line_features(lines, "Popular", memo)
    assert np.array_equal(first, line_features(lines, "Popular"))
    assert np.array_equal(again, first)
