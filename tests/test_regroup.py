"""Regrouping a closed set: the pair features, the grouping, stable ids, the engine's pass."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from storyfold import Engine
from storyfold.cli import app
from storyfold.config import Settings
from storyfold.digest import CentralSentences
from storyfold.engine import RegroupReport
from storyfold.errors import StoryfoldError
from storyfold.records import Article
from storyfold.represent.base import Representation
from storyfold.stories.online import CentroidAssigner, TimeEvidence, features
from storyfold.stories.regroup import (
    Regrouper,
    groups_at,
    pair_features,
    plan,
    split_groups,
    term_sets,
    word_split_score,
)

from .conftest import SEEDS, consistent_stories

COPY, APART = "001_548b1945a47a36b1", "003_bd303325c27d2cb2"


def _seeds(path: Path, settings: Settings | None = None) -> Engine:
    engine = Engine.open(path, settings=settings or Settings())
    engine.digester = CentralSentences(engine.representer.terms)
    report = engine.ingest_paths([SEEDS])
    assert report.ingested == 5 and not report.skipped
    return engine


def _partition(engine: Engine) -> set[frozenset[str]]:
    out: dict[str, set[str]] = {}
    for article in engine.store.articles():
        out.setdefault(engine.store.story_of(article.id) or "", set()).add(article.id)
    return {frozenset(v) for v in out.values()}


def _consistent(engine: Engine) -> None:
    """``consistent_stories``, and copies live with their originals."""
    store = engine.store
    consistent_stories(store)
    for article in store.articles():
        if (link := store.copy_link(article.id)) is not None:
            assert store.story_of(article.id) == store.story_of(link.original)


GOLD = {
    frozenset(
        {
            "000_a61859e1349bc34b",
            COPY,
            "002_a0886e23e266ed46",
            "004_306dcc561a93ab34",
        }
    ),
    frozenset({APART}),
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with _seeds(tmp_path_factory.mktemp("regroup") / "s.db") as engine:
        yield engine


def _items(engine: Engine) -> list[tuple[Article, Representation]]:
    out = []
    for article in engine.store.articles():
        rep = engine.store.representation(article.id)
        assert rep is not None
        out.append((article, rep))
    return out


def test_pair_features_are_the_assigners(seeded: Engine) -> None:
    """The matrix of pair features equals the assigner's own function, one
    article standing as a story of the other alone."""
    items = _items(seeded)
    matrix = pair_features(items)
    assigner = CentroidAssigner(Settings())
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            single = assigner.learn_one(items[j][0], items[j][1], "s", None, 0)
            expected = features(items[i][1], TimeEvidence.of(items[i][0]), single)
            np.testing.assert_allclose(matrix[i, j], expected, atol=1e-5)
            np.testing.assert_allclose(matrix[j, i], matrix[i, j])


def test_the_window_rule_holds(seeded: Engine) -> None:
    """The 2024 meeting is more than ``story_window_days`` from the 2022 one:
    no probability, whatever the model says."""
    items = [(a, r) for a, r in _items(seeded) if seeded.store.copy_link(a.id) is None]
    allowed = Regrouper(Settings()).allowed(items)
    apart = [a.id for a, _ in items].index(APART)
    assert not allowed[apart, [k for k in range(len(items)) if k != apart]].any()


def test_regroup_keeps_the_seeds_stories_and_ids(tmp_path: Path) -> None:
    with _seeds(tmp_path / "s.db") as engine:
        before = {a.id: engine.store.story_of(a.id) for a in engine.store.articles()}
        assert _partition(engine) == GOLD
        report = engine.regroup()
        assert _partition(engine) == GOLD
        assert {a.id: engine.store.story_of(a.id) for a in engine.store.articles()} == before
        assert (report.articles, report.moved, report.merges, report.splits) == (4, 0, (), ())
        assert not engine.store.stale_digests()


def test_regroup_merges_what_the_online_pass_left_apart(tmp_path: Path) -> None:
    """Every article opens its own story (no joining, no merging); regrouping
    finds the two events, records the merges, and the merged ids answer."""
    apart = Settings(story_threshold=1e9, story_merge_threshold=1e9, story_absorb_size=0)
    with _seeds(tmp_path / "s.db", apart) as engine:
        online = {a.id: engine.store.story_of(a.id) for a in engine.store.articles()}
        assert len(set(online.values())) == 4  # the copy follows its original
        engine.settings = Settings()
        report = engine.regroup()
        assert _partition(engine) == GOLD
        _consistent(engine)
        assert report.stories_after == 2 and len(report.merges) == 2 and not report.splits
        kept = {engine.store.story_of(a) for a in online}
        assert kept <= set(online.values())  # no new ids: two stories kept theirs
        changes = engine.store.story_changes()
        assert sorted((k, a, b) for k, a, b, _, _ in changes) == sorted(
            ("merge", a, b) for a, b, _ in report.merges
        )
        for story, into, _ in report.merges:
            assert engine.store.story_state(story) is None
            assert engine.store.current_story(story) == into
        moved = [a for a, s in online.items() if engine.store.story_of(a) != s]
        for article in moved:
            held = engine.store.assignment(article)
            assert held is not None and held[1].get("regrouped") == 1.0
        assert engine.regroup().moved == 0  # a second pass has nothing to do
        assert not engine.store.stale_digests()
        assert all(engine.store.digest(s) for s in kept if s)


def test_regroup_splits_what_the_online_pass_folded(tmp_path: Path) -> None:
    together = Settings(
        story_threshold=-1e9,
        long_report_words=10**9,
        story_split_odds=1e9,
        story_window_days=10**6,
    )
    with _seeds(tmp_path / "s.db", together) as engine:
        assert len(_partition(engine)) == 1
        (online,) = {engine.store.story_of(a.id) for a in engine.store.articles()}
        engine.settings = Settings()
        report = engine.regroup()
        assert _partition(engine) == GOLD
        _consistent(engine)
        assert engine.store.story_of(COPY) == online  # the larger group keeps the id
        ((new, source, size),) = report.splits
        assert (source, size) == (online, 1) and engine.store.story_of(APART) == new
        assert [c[:3] for c in engine.store.story_changes()] == [("split", new, online)]


def test_regroup_of_an_empty_or_one_article_store_changes_nothing(tmp_path: Path) -> None:
    with Engine.open(tmp_path / "s.db") as engine:
        engine.digester = CentralSentences(engine.representer.terms)
        assert engine.regroup() == RegroupReport(0, 0, 0, 0, (), ())
        engine.ingest_paths([SEEDS / f"{APART}.txt"])
        story = engine.store.story_of(APART)
        assert engine.regroup() == RegroupReport(1, 1, 1, 0, (), ())
        assert engine.store.story_of(APART) == story


def test_regroup_refuses_a_set_too_large_to_hold(tmp_path: Path) -> None:
    with (
        _seeds(tmp_path / "s.db", Settings(regroup_max_articles=3)) as engine,
        pytest.raises(StoryfoldError, match="regroup_max_articles"),
    ):
        engine.regroup()


def test_cli_regroup_prints_what_changed(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seeds(db).close()
    result = CliRunner().invoke(app, ["regroup", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "regrouped 4 articles: stories 2 -> 2, 0 articles moved" in result.output


def test_plan_changes_nothing_when_the_groups_are_the_stories() -> None:
    stories = ["a", "b", "a", "c"]
    done = plan(["1", "2", "3", "4"], [0, 1, 0, 2], stories, {"a": 1, "b": 2, "c": 3})
    assert done.stories == tuple(stories) and not done.merges and not done.splits


def test_plan_ties_go_to_the_older_story() -> None:
    done = plan(["1", "2"], [0, 0], ["young", "old"], {"young": 9, "old": 1})
    assert done.stories == ("old", "old") and done.merges == (("young", "old", 1),)


def test_plan_never_names_a_group_after_no_story() -> None:
    done = plan(["1", "2", "3"], [0, 0, 1], ["", "", "a"], {"a": 1})
    assert done.stories[2] == "a" and done.stories[0] == done.stories[1] != ""
    assert done.splits == ((done.stories[0], "", 2),) and not done.merges


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from("abcde")), min_size=1, max_size=30))
def test_plan_gives_each_group_one_id_of_its_own(pairs: list[tuple[int, str]]) -> None:
    groups, stories = [g for g, _ in pairs], [s for _, s in pairs]
    articles = [f"x{k}" for k in range(len(pairs))]
    done = plan(articles, groups, stories, {s: ord(s) for s in "abcde"})
    name = {}
    for group, story in zip(groups, done.stories, strict=True):
        assert name.setdefault(group, story) == story
    assert len(set(name.values())) == len(name)
    assert {s for s in done.stories if s in "abcde"} | {s for s, _, _ in done.merges} == set(
        stories
    )
    assert {s for s, _, _ in done.splits} == {s for s in done.stories if s not in "abcde"}


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 12), st.integers(0, 2**32 - 1), st.floats(0.05, 0.95))
def test_groups_do_not_depend_on_order(n: int, seed: int, cut: float) -> None:
    rng = np.random.default_rng(seed)
    p = rng.random((n, n))
    p = (p + p.T) / 2
    order = rng.permutation(n)
    first = groups_at(p, cut)
    again = groups_at(p[np.ix_(order, order)], cut)
    for a in range(n):
        for b in range(n):
            assert (first[order[a]] == first[order[b]]) == (again[a] == again[b])


def _two_fights() -> list[str]:
    """Twelve reports of two title fights of one boxer, six each: each
    fight has eight words of its own (opponent, venue, city, round, record,
    year), the boxer and the kind of event are shared."""
    first = (
        "Klitschko stopped Hasim Rahman in the seventh round at SAP Arena in Mannheim "
        "(52-3) in 2008 to retain his heavyweight titles"
    )
    second = (
        "Klitschko stopped Tony Thompson in the sixth round at Stade de Suisse in Bern "
        "(58-3) in 2012 to retain his heavyweight titles"
    )
    return [f"{first}, report {k}." for k in "abcdef"] + [
        f"{second}, report {k}." for k in "ghijkl"
    ]


def test_word_split_score_parts_two_events_not_one() -> None:
    held = term_sets(_two_fights()).toarray()
    events = np.array([True] * 6 + [False] * 6)
    halves = np.array([True, False] * 6)
    assert word_split_score(held, events, 20) > 1.5 > word_split_score(held, halves, 20)
    # Each fight's words (hasim, rahman, sap, arena, mannheim, 52-3, 2008,
    # seventh; and the other's eight plus "stade" and "suisse" against "sap
    # arena"...), each 6 of 6 against 0 of 6: chance 1 / C(12, 6) = 1/924.
    own = int(((held[:6].sum(axis=0) == 6) ^ (held[6:].sum(axis=0) == 6)).sum())
    assert word_split_score(held, events, own) == pytest.approx(np.log10(924))
    assert word_split_score(held, events, 2 * own) == pytest.approx(np.log10(924) / 2)


def test_term_sets_keep_numbers_whole_and_drop_stop_words() -> None:
    held = term_sets(["A 5.6 quake hit the island.", "The 6.1 quake."])
    assert held.shape == (2, 5)  # 5.6, quake, hit, island, 6.1
    assert held.sum() == 6


def test_split_groups_cuts_a_group_whose_sides_part_in_words() -> None:
    texts = _two_fights()
    p = np.full((12, 12), 0.6)
    p[:6, :6] = p[6:, 6:] = 0.9
    held = term_sets(texts)
    assert split_groups(p, [0] * 12, held, 1.5, 20) == [0] * 6 + [1] * 6
    # Not where the score asked is higher than the words give, nor below six articles.
    assert split_groups(p, [0] * 12, held, 5.0, 20) == [0] * 12
    few = [0, 1, 6, 7, 8]
    assert split_groups(p[np.ix_(few, few)], [0] * 5, held[few], 0.0, 20) == [0] * 5
    # A group of one event's reports stays whole, whatever its top split.
    same = term_sets([texts[0]] * 12)
    assert split_groups(p, [0] * 12, same, 0.0, 20) == [0] * 12
