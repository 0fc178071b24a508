"""Lexical alignment: the remembered word sets equal fresh ones."""

from __future__ import annotations

from storyfold.copies.lexical import WordSets, word_sets


def test_remembered_word_sets_equal_fresh_ones_and_stay_bounded() -> None:
    memo = WordSets(capacity=2)
    texts = [
        ("The pier will close for repairs.", "Work takes eight months."),
        ("A library opened on Saturday.",),
        ("The pier will close for repairs.", "Work takes nine months."),
    ]
    for sentences in [*texts, texts[0], texts[1]]:
        assert memo(sentences) == word_sets(sentences)
    assert len(memo._memo) == 2
