"""The line features compute what the shipped model was trained on.

The model file records the feature names, not how each is computed; the
faster forms in :mod:`storyfold.clean.features` are checked here against the
plain definitions they replaced, on made-up lines built from the words that
matter, so that a change which moves a value fails here rather than silently
shifting the classifier.
"""

from __future__ import annotations

import math
import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from storyfold.clean.features import (
    _COMMENT_HEAD,
    _FOOTER_HEAD,
    _OWN,
    _RELATED_HEAD,
    FEATURES,
    _own,
    line_features,
)
from storyfold.clean.rules import Line, count_words

# The definitions the model was trained with (one findall per line).
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
_GLUE = [" ", " ", " ", "  ", "-", "/", "©", ".", ",", ": ", "_", "'", "é"]


@st.composite
def lines_of_words(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_GLUE)), max_size=45))
    return "".join(part for pair in parts for part in pair).strip() or "x"


def _column(name: str) -> int:
    return _OWN.index(name)


@settings(max_examples=400, deadline=None)
@given(lines_of_words())
def test_call_to_action_and_caption_counts_match_their_patterns(text: str) -> None:
    low = text.lower()
    row = _own(Line(text), low)
    n_tok = len(re.findall(r"\w+", low)) or 1
    cta = len(_CTA.findall(low)) if n_tok <= 40 else 0
    caption = len(_CAPTION.findall(low)) if n_tok <= 80 else 0
    assert row[_column("cta_hits")] == cta
    assert row[_column("caption_hits")] == caption


@settings(max_examples=400, deadline=None)
@given(lines_of_words().filter(lambda text: Line(text).words <= 8))
def test_heading_flags_match_their_patterns(text: str) -> None:
    low = text.lower()
    flags = _own(Line(text), low)[len(_OWN) :]
    expected = [bool(p.search(low)) for p in (_COMMENT_HEAD, _FOOTER_HEAD, _RELATED_HEAD)]
    assert flags == [float(flag) for flag in expected]


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


_MIXED = st.text(alphabet="aZzÀÖ×ØÞßΑΩωАЯя_1 .,-–|/©'\"()é\u0307\t中文", max_size=60)


@settings(max_examples=400, deadline=None)
@given(_MIXED.filter(str.strip))
def test_capitalised_words_match_their_pattern(text: str) -> None:
    plain = re.compile(r"(?<!\w)[A-ZÀ-ÖØ-ÞΑ-ΩА-Я]")
    low = text.lower()
    n_tok = len(re.findall(r"\w+", low)) or 1
    assert _own(Line(text), low)[_column("title_case")] == len(plain.findall(text)) / n_tok


@settings(max_examples=400, deadline=None)
@given(_MIXED)
def test_words_are_counted_as_defined(text: str) -> None:
    plain = re.compile(r"(?<!\S)[^\w\s]+(?!\S)")
    cjk = len(
        re.findall(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]", text)
    )
    assert count_words(text) == len(text.split()) - len(plain.findall(text)) + cjk // 2
