"""Lexical alignment: the remembered word sets equal fresh ones; short
sentences that share only function words do not make a rewrite."""

from __future__ import annotations

from pathlib import Path

from storyfold import Engine
from storyfold.config import Settings
from storyfold.copies.lexical import WordSets, aligned_lexically, word_sets
from storyfold.records import RawArticle
from storyfold.store.sqlite import StoredLink


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


# Two injuries of two players, years apart: the short report's sentences are
# short, and four of its five align by words such as "did", "not", "said",
# "the", "against" with sentences of the long one.
LONG = (
    "Saints running back Pierre Thomas hurt his ankle in the third quarter against Atlanta on "
    "Sunday. Thomas was carried off the field and did not return. "
    "The team has not said how long he will be out. "
    "Coach Sean Payton said after the game that the injury did not look serious. "
    "Chris Ivory took most of the carries in the fourth quarter and ran for 61 yards. "
    "We will know more this week, Payton said. "
    "Thomas had gained 48 yards on nine carries before he was hurt. "
    "New Orleans won the game 26 to 23 in overtime. "
    "He is a tough player, quarterback Drew Brees said. "
    "The Saints play Tampa Bay next Sunday at home."
)
SHORT = (
    "Reggie Bush of the Saints hurt his knee in the first quarter against Chicago on Sunday. "
    "He did not return after the first half. "
    "He will have an MRI this week, the team said. "
    "It did not look serious, Bush said. "
    "He said he hopes to play against Tampa Bay."
)


def _copy_link_of_short(path: Path, settings: Settings) -> StoredLink | None:
    engine = Engine.open(path, settings=settings)
    engine.ingest(
        [
            RawArticle("long", "test", LONG, published="2011-10-02T08:00:00Z", lang="en"),
            RawArticle("short", "test", SHORT, published="2011-10-03T08:00:00Z", lang="en"),
        ]
    )
    rep = engine.store.representation("short")
    other = engine.store.representation("long")
    assert rep is not None and other is not None
    short, long = sorted((word_sets(rep.sentences), word_sets(other.sentences)), key=len)
    assert aligned_lexically(short, long) >= settings.min_aligned  # the trap is set
    return engine.store.copy_link("short")


def test_function_words_alone_do_not_make_a_rewrite(tmp_path: Path) -> None:
    # Without the word 3-gram gate the pair is taken for a rewrite: the case is real.
    ungated = Settings(embedder="hashing", lexical_min_jaccard=0.0)
    assert _copy_link_of_short(tmp_path / "ungated.db", ungated) is not None
    assert _copy_link_of_short(tmp_path / "gated.db", Settings(embedder="hashing")) is None
