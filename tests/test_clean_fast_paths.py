"""Shortcuts in the text rules give what the plain definitions give.

Each shortcut in :mod:`storyfold.clean.rules` and :mod:`storyfold.clean.text`
that skips work (a cheap necessary test before an expensive one, a regex
rewritten to scan faster) is checked here against the definition it stands
for, on made-up text rich in the characters that could tell them apart.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from storyfold.clean.rules import count_words
from storyfold.clean.text import _fold, _may_fold_to

_TRICKY = st.text(alphabet="aAzZßẞİiıΣσςﬁﬃǅ \t\u00a0\u2028xX1.,-–|/©'\"()é\u0307中文", max_size=40)


@settings(max_examples=400, deadline=None)
@given(_TRICKY)
def test_words_are_counted_as_defined(text: str) -> None:
    plain = re.compile(r"(?<!\S)[^\w\s]+(?!\S)")
    cjk = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
    expected = len(text.split()) - len(plain.findall(text)) + len(cjk.findall(text)) // 2
    assert count_words(text) == expected


@settings(max_examples=400, deadline=None)
@given(_TRICKY, st.data())
def test_the_fold_shortcut_never_rejects_a_match(text: str, data: st.DataObject) -> None:
    # The same text in other letter case and spacing folds the same.
    swaps = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    other = "".join(
        (c.upper() if c.islower() else c.lower()) if swap else c
        for c, swap in zip(text, swaps, strict=True)
    )
    other = "  " + other.replace(" ", "\t ") + " "
    for a, b in ((text, other), (other, text), (text, text), ("ßx " + text, "SSX " + text)):
        if _fold(a) == _fold(b):
            assert _may_fold_to(a, _fold(b))
