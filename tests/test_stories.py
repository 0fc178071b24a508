"""The story stage: time evidence, active stories, splits and merges."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyfold import Engine
from storyfold.config import Settings
from storyfold.digest import CentralSentences
from storyfold.records import Article, RawArticle
from storyfold.represent import Representation
from storyfold.represent.dates import (
    FIRST_YEAR,
    article_day,
    mentioned_days,
    parse_day,
    url_day,
    years,
)
from storyfold.store import Store, StoryState
from storyfold.stories.consolidate import due_for_split, split_features, story_features

from .conftest import DATA, SEEDS, consistent_stories


def test_days_from_published_and_urls() -> None:
    assert parse_day("2013-05-03T10:00:00+02:00") == date(2013, 5, 3)
    assert parse_day("May 03, 2013") == date(2013, 5, 3)
    assert parse_day("3rd Sept. 2013") == date(2013, 9, 3)
    assert parse_day("Jan 29, 2025") == date(2025, 1, 29)
    assert parse_day("yesterday") is None
    assert parse_day("February 30, 2013") is None
    assert url_day("http://x.com/2013/may/03/local/story") == date(2013, 5, 3)
    assert url_day("https://x.com/news/2022/03/30/wang-yi") == date(2022, 3, 30)
    assert url_day("https://x.com/articles/208622/") is None
    # published wins over the URL; no date anywhere gives None
    assert article_day("2020-01-02", "https://x.com/2013/05/03/a") == date(2020, 1, 2)
    assert article_day(None, "https://x.com/2013/05/03/a") == date(2013, 5, 3)
    assert article_day(None, None) is None


def test_mentioned_days_in_order_of_place() -> None:
    text = "Updated 2013-09-10. Four men struck on 9 September 2013; on Sept. 8, 2013 police"
    assert mentioned_days(text) == [
        (8, date(2013, 9, 10)),
        (39, date(2013, 9, 9)),
        (60, date(2013, 9, 8)),
    ]
    assert mentioned_days("on Monday, February 30, 2013 and in 2014") == []


def test_years_mentioned() -> None:
    v = years("In 2010 and again in 2022 (not 12345 or 3.2010), see /2022/.", None)
    assert v[2010 - FIRST_YEAR] == 1 and v[2022 - FIRST_YEAR] == 2
    assert v.sum() == 3
    assert years("no years here", "https://x.com/a").sum() == 0


@given(st.integers(0, 500), st.integers(0, 500))
def test_split_checks_at_each_doubling(before: int, grown: int) -> None:
    after = before + grown
    crossed = any(before < size <= after for size in (4, 8, 16, 32, 64, 128, 256, 512, 1024))
    assert due_for_split(before, after, 4) == crossed


def _lite(engine: Engine) -> Engine:
    """No spaCy digest: these tests are about stories, and should be quick."""
    engine.digester = CentralSentences(engine.representer.terms)
    return engine


def test_seeds_split_when_forced_together(tmp_path: Path) -> None:
    """Everything joins one story; the split check at four articles cuts it."""
    settings = Settings(
        story_threshold=-1e9,
        long_report_words=10**9,
        story_split_odds=-1e9,
        story_absorb_size=0,  # else the joining threshold folds the cut back
    )
    with _lite(Engine.open(tmp_path / "s.db", settings=settings)) as engine:
        engine.ingest_paths([SEEDS])
        changes = engine.store.story_changes()
        assert [c[0] for c in changes] == ["split"]
        _, new, old, _, moved = changes[0]
        assert engine.store.story_state(new) and engine.store.story_state(old)
        assert moved == len(engine.store.story_article_ids(new))
        consistent_stories(engine.store)
        # 2-means cuts the 2024 meeting from the 2022 one
        assert engine.store.story_article_ids(new) == ["003_bd303325c27d2cb2"]
        # the copy stays with its original
        assert engine.store.story_of("001_548b1945a47a36b1") == engine.store.story_of(
            "000_a61859e1349bc34b"
        )


def test_merges_keep_the_older_id_and_the_younger_answers(tmp_path: Path) -> None:
    """Every article opens a story; the merge pass folds them into the oldest."""
    settings = Settings(
        story_threshold=1e9,
        story_merge_threshold=-1e9,
        story_split_odds=1e9,
        story_absorb_size=0,  # all merges at the merge threshold
    )
    with _lite(Engine.open(tmp_path / "m.db", settings=settings)) as engine:
        engine.ingest_paths([SEEDS])
        merges = [c for c in engine.store.story_changes() if c[0] == "merge"]
        assert merges
        survivors = set(engine.store.story_ids())
        for _, gone, _into, _, _ in merges:
            assert gone not in survivors
            assert engine.store.current_story(gone) in survivors
            assert engine.store.story_state(gone) is None
        consistent_stories(engine.store)
        first = engine.store.story_of("000_a61859e1349bc34b")
        assert first == engine.store.current_story(first)
    # a restart reads the same
    with Store.open(tmp_path / "m.db") as store:
        assert set(store.story_ids()) == survivors


def test_active_stories_are_the_recent_and_the_dated_near(tmp_path: Path) -> None:
    rows = [json.loads(x) for x in (DATA / "stories" / "ecbplus-dev.jsonl").open()][:12]
    settings = Settings(story_active_articles=3)
    with _lite(Engine.open(tmp_path / "a.db", settings=settings)) as engine:
        engine.ingest(
            RawArticle(
                id=r["id"],
                origin="ecb",
                text=r["text"],
                published=f"2013-05-{k + 1:02d}" if k < 6 else None,
            )
            for k, r in enumerate(rows)
        )
        store = engine.store
        last = store.max_seq()
        recent = store.active_story_states(None, last - 3, settings.story_window_days)
        by_seq = {s for s in store.story_ids() if store.story_state(s).updated >= last - 3}  # type: ignore[union-attr]
        assert set(recent) == by_seq
        dated = store.active_story_states(date(2013, 5, 2), last + 1, 1)
        assert dated and all(
            parse_day(s.last_seen) and parse_day(s.last_seen) >= date(2013, 5, 1)  # type: ignore[operator]
            for s in dated.values()
        )
        assert store.active_story_states(date(1999, 1, 1), last + 1, 21) == {}


def test_old_stores_gain_the_new_story_columns(tmp_path: Path) -> None:
    """A store from before years and updated migrates and keeps working."""
    import sqlite3

    from storyfold.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    previous = next(i for i, m in enumerate(MIGRATIONS) if "ADD COLUMN years" in m)
    for number, script in enumerate(MIGRATIONS[:previous], start=1):
        db.executescript(f"BEGIN;{script}PRAGMA user_version = {number};COMMIT;")
    vec = np.zeros(4, dtype="<f4").tobytes()
    db.execute(
        "INSERT INTO stories (id, seq, lead, names, content, phrases, words, size) "
        "VALUES ('s1', 1, ?, ?, ?, ?, 10, 1)",
        (vec, vec, vec, vec),
    )
    db.commit()
    db.close()
    with Store.open(path) as store:
        state = store.story_state("s1")
        assert state is not None and state.updated == 1 and not state.years.any()


def _topic_one(n: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """``n`` articles of each of ECB+ dev topic 1's events: Tara Reid's rehab
    (2008) and Lindsay Lohan's (2013)."""
    rows = [
        json.loads(line)
        for line in (DATA / "stories" / "ecbplus-dev.jsonl").read_text().splitlines()
        if line
    ]
    one = [r for r in rows if r["topic"] == "1"]
    return (
        [r for r in one if r["story"] == "1_ecb"][:n],
        [r for r in one if r["story"] == "1_ecbplus"][:n],
    )


def test_reassign_moves_a_misplaced_member_home() -> None:
    """A Lohan report filed in the Tara Reid story goes to the Lohan story;
    the Reid reports stay."""
    reid, lohan = _topic_one(4)
    settings = Settings()
    engine = Engine.open(":memory:", settings=settings)
    rows = [*reid, *lohan]
    articles = [engine.clean(RawArticle(id=r["id"], origin="t", text=r["text"])) for r in rows]
    reps = engine.representer.represent(articles)
    items = list(zip(articles, reps, strict=True))
    assigner, consolidator = engine.assigner, engine.consolidator

    def state(story: str, members: list[int]) -> StoryState:
        out = None
        for seq, k in enumerate(members, start=1):
            out = assigner.learn_one(items[k][0], items[k][1], story, out, seq)
        assert out is not None
        return out

    misplaced = 4  # the first Lohan report
    a = [0, 1, 2, 3, misplaced]
    active = {"reid": state("reid", a), "lohan": state("lohan", [5, 6, 7])}
    moves = consolidator.reassign("reid", [items[k] for k in a], active)
    assert [(m.article, m.story, m.into) for m in moves] == [(rows[4]["id"], "reid", "lohan")]
    assert moves[0].assignment.story == "lohan" and not moves[0].assignment.opened
    # nothing to move when every member is where it belongs
    home = {"reid": state("reid", [0, 1, 2, 3]), "lohan": state("lohan", [4, 5, 6, 7])}
    assert consolidator.reassign("reid", [items[k] for k in range(4)], home) == []
    assert consolidator.reassign("lohan", [items[k] for k in range(4, 8)], home) == []


def test_the_split_model_cuts_two_events_and_keeps_one_whole() -> None:
    """Forced into one story, Tara Reid's rehab and Lindsay Lohan's are cut
    apart by the shipped split model; eight reports of either, ingested two
    at a time (split checks at four and eight), are never cut."""
    reid, lohan = _topic_one(8)
    engine = Engine.open(":memory:", settings=Settings())
    consolidator = engine.consolidator

    def items(rows: list[dict[str, str]]) -> list[tuple[Article, Representation]]:
        articles = [engine.clean(RawArticle(id=r["id"], origin="t", text=r["text"])) for r in rows]
        return list(zip(articles, engine.representer.represent(articles), strict=True))

    both = items([*reid[:4], *lohan[:4]])
    cut = consolidator.split("s", both)
    assert cut is not None
    assert sorted(cut[0]) == sorted(r["id"] for r in lohan[:4]), cut
    assert cut[1] > Settings().story_split_odds
    for one in (reid, lohan):
        with _lite(Engine.open(":memory:", settings=Settings(batch_size=2))) as single:
            single.ingest(RawArticle(id=r["id"], origin="t", text=r["text"]) for r in one)
            assert single.store.story_changes() == []


def test_split_features_are_the_story_features_and_the_cut_s_balance() -> None:
    rng = np.random.default_rng(0)

    def state(size: int) -> StoryState:
        return _names_state(size, rng.random(4096).astype(np.float32))

    a, b = state(3), state(6)
    assert split_features(a, b)[:-1] == story_features(a, b)
    assert split_features(a, b)[-1] == split_features(b, a)[-1] == pytest.approx(np.log(0.5))
    assert split_features(a, state(3))[-1] == 0.0


def test_settle_puts_a_run_s_misfiled_article_right(tmp_path: Path) -> None:
    """The second look at the end of a run moves an article the run misfiled
    (with its copy), and only the run's own articles: one stored before
    ``since`` stays where it is."""
    reid, lohan = _topic_one(4)
    copy = {**lohan[0], "id": "lohan-copy"}
    with _lite(Engine.open(tmp_path / "s.db")) as engine:
        engine.ingest(
            RawArticle(id=r["id"], origin="t", text=r["text"]) for r in [*reid, *lohan, copy]
        )
        store = engine.store
        reid_story = store.story_of(reid[0]["id"])
        lohan_story = store.story_of(lohan[1]["id"])
        assert reid_story and lohan_story and reid_story != lohan_story
        store.move_articles([lohan[0]["id"], "lohan-copy"], reid_story)
        engine._refold(reid_story)
        engine._refold(lohan_story)
        first_lohan = next(a.seen for a in store.articles() if a.id == lohan[0]["id"])
        # a run that began after the misfiled article: not its to weigh again
        assert engine.settle({reid_story}, first_lohan + 1) == set()
        assert store.story_of(lohan[0]["id"]) == reid_story
        assert engine.settle({reid_story}, first_lohan) == {reid_story, lohan_story}
        assert store.story_of(lohan[0]["id"]) == lohan_story
        assert store.story_of("lohan-copy") == lohan_story
        assert all(store.story_of(r["id"]) == reid_story for r in reid)
        consistent_stories(store)
        # settled: another look moves nothing
        assert engine.settle({reid_story, lohan_story}, 1) == set()


def test_engine_reassign_takes_copies_along(tmp_path: Path) -> None:
    """An early misfiling, undone at the next checkpoint: the article and its
    copy move together, the move is in the article's assignment, and every
    story's sums count its own members."""
    reid, lohan = _topic_one(4)
    copy = {**lohan[0], "id": "lohan-copy"}
    with _lite(Engine.open(tmp_path / "r.db")) as engine:
        engine.ingest(
            RawArticle(id=r["id"], origin="t", text=r["text"]) for r in [*reid, *lohan, copy]
        )
        store = engine.store
        assert store.copy_link("lohan-copy") is not None
        reid_story = store.story_of(reid[0]["id"])
        lohan_story = store.story_of(lohan[1]["id"])
        assert reid_story and lohan_story and reid_story != lohan_story
        # file the first Lohan report (and its copy) with Tara Reid, as an
        # early decision might have
        store.move_articles([lohan[0]["id"], "lohan-copy"], reid_story)
        engine._refold(reid_story)
        engine._refold(lohan_story)
        changed = engine._reassign([reid_story])
        assert changed == {reid_story, lohan_story}  # the one lost, the other gained
        assert store.story_of(lohan[0]["id"]) == lohan_story
        assert store.story_of("lohan-copy") == lohan_story
        assert all(store.story_of(r["id"]) == reid_story for r in reid)
        held = store.assignment(lohan[0]["id"])
        assert held is not None and held[1].get("reassigned") == 1.0
        consistent_stories(store)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 9),  # which story
            st.lists(st.integers(-3, 3), min_size=4, max_size=4),  # its new lead
            st.booleans(),  # dropped from the active set
        ),
        min_size=1,
        max_size=40,
    ),
    st.lists(st.integers(-3, 3), min_size=4, max_size=4),
)
def test_active_leads_answer_as_a_fresh_table(
    steps: list[tuple[int, list[int], bool]], query: list[int]
) -> None:
    """The lead matrix kept between calls gives the stories a table stacked
    afresh would give, in the same order, as stories come, change and go
    (small integer leads make ties common)."""
    from storyfold.stories.online import LeadTable, nearest_by_lead

    def state(n: int, lead: list[int]) -> StoryState:
        zero = np.zeros(4, np.float32)
        vec = np.array(lead, np.float32)
        return StoryState(f"s{n}", n, 1, None, None, 10, vec, zero, zero, zero, zero, n)

    kept = LeadTable()
    active: dict[str, StoryState] = {}
    q = np.array(query, np.float32)
    for n, lead, dropped in steps:
        if dropped:
            active.pop(f"s{n}", None)
        else:
            active[f"s{n}"] = state(n, lead)
        ordered = dict(sorted(active.items(), key=lambda item: item[1].seq))
        for k in (1, 3):
            want = [s.id for s in nearest_by_lead(q, ordered, k)]
            assert [s.id for s in kept.among(q, ordered, k)] == want


def _names_state(size: int, names: np.ndarray) -> StoryState:
    zeros = np.zeros(4096, np.float32)
    return StoryState(
        "s",
        1,
        size,
        None,
        None,
        100 * size,
        np.ones(8, np.float32),
        names,
        zeros,
        zeros,
        np.zeros(len(years("")), np.float32),
        1,
    )


def test_a_long_story_does_not_find_names_only_one_member_had() -> None:
    from storyfold.stories.consolidate import story_features
    from storyfold.stories.online import FEATURES, _found

    article = (np.array([7, 9], np.uint32), np.array([0.5, 0.5], np.float32))
    named_once = np.zeros(4096, np.float32)
    named_once[[7, 9]] = 0.5  # one member of 200 named both
    named_by_all = named_once * 200
    assert _found(named_once, 1, article) == 1.0  # one article: every name found
    assert _found(named_once, 200, article) < 0.1
    assert _found(named_by_all, 200, article) == 1.0
    found = FEATURES.index("names_found")
    single = _names_state(1, named_once)
    # Between stories the two sides' shares are averaged: the single article
    # has all of the long story's names (1.0), the long story barely its (< 0.1).
    assert story_features(_names_state(200, named_once), single)[found] < 0.55
    assert story_features(_names_state(200, named_by_all), single)[found] == 1.0
