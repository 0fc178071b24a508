"""Deleting and expiring articles: copy families re-rooted, stories refolded,
the copy index (LSH keys, embeddings, leads) kept consistent, across restarts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from storyfold import Engine
from storyfold.cli import app
from storyfold.config import Settings
from storyfold.digest import CentralSentences
from storyfold.errors import StoryfoldError
from storyfold.records import RawArticle
from storyfold.represent import Representer
from storyfold.represent.embedders import HashingEmbedder
from storyfold.store import Store

ORIGINAL = (
    "The harbour authority of Port Vell said on Monday that the north pier will close for repairs. "
    "Engineers found cracks in the concrete after the storm last winter. "
    "The work will take eight months and cost about 12 million euros, the authority said. "
    "Ferries to the islands will leave from the south pier while the work lasts. "
    "Local fishermen said they feared losing customers during the summer season. "
    "The city council will vote on extra funds for the repairs next week."
)
# Light edits: a near copy (same words, a few changed).
EDITED = ORIGINAL.replace("on Monday", "on Tuesday").replace("eight months", "nine months")
OTHER = (
    "A new public library opened in the old train station of Lindau on Saturday. "
    "It holds about 80,000 books and a reading room with a view of the lake. "
    "The mayor thanked the volunteers who helped move the collection over two weeks. "
    "Children's readings will take place every Sunday morning from next month. "
    "The building had stood empty for more than ten years before the council bought it."
)


def _engine(path: Path) -> Engine:
    """An engine without model calls: hashed embeddings, the sentence digest."""
    s = Settings(embedder="hashing")
    representer = Representer(HashingEmbedder(), num_perm=s.num_perm, seed=s.minhash_seed)
    return Engine(
        Store.open(path),
        settings=s,
        representer=representer,
        digester=CentralSentences(representer.terms, s.summary_sentences),
    )


def _raw(aid: str, text: str, published: str | None) -> RawArticle:
    return RawArticle(id=aid, origin="test", text=text, published=published, lang="en")


def _fold(path: Path) -> Engine:
    engine = _engine(path)
    engine.ingest(
        [
            _raw("a", ORIGINAL, "2024-01-01T08:00:00Z"),
            _raw("b", ORIGINAL, "2024-01-02T08:00:00Z"),
            _raw("c", EDITED, "2024-01-03T08:00:00Z"),
            _raw("d", OTHER, "2024-01-02T09:00:00Z"),
        ]
    )
    return engine


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return list(db.execute(sql))
    finally:
        db.close()


def check_consistent(engine: Engine, path: Path) -> None:
    """The invariants of a store after any sequence of ingests and deletes."""
    store = engine.store
    ids = {a.id for a in store.articles()}
    assert {str(r[0]) for r in _rows(path, "SELECT article FROM representations")} == ids
    assert {str(r[0]) for r in _rows(path, "SELECT DISTINCT article FROM lsh_bands")} == ids
    for aid in ids:
        rep = store.representation(aid)
        assert rep is not None
        keys = engine.copy_finder.band_keys(rep)
        assert set(store.ids_with_band_keys(keys)) >= {aid}
        link = store.copy_link(aid)
        if link is not None:  # families are flat: a copy points to an original
            assert link.original in ids and store.copy_link(link.original) is None
            assert store.story_of(aid) == store.story_of(link.original)
    states = store.story_states()
    member_stories = {store.story_of(aid) for aid in ids}
    assert set(states) == member_stories == set(store.story_ids())
    for story, state in states.items():
        members = store.story_article_ids(story)
        originals = [m for m in members if store.copy_link(m) is None]
        assert state.size == len(originals)
        digest = store.digest(story)
        assert digest is not None
        cited = {a for s in digest.summary for a in s.articles}
        assert cited <= ids
        assert all(r.story in states for r in digest.related)
    if ids:
        probe = np.ones(engine.representer.embedder.dim, dtype=np.float32)
        probe /= np.linalg.norm(probe)
        found = {i for i, _ in store.nearest(probe, len(ids) + 5, -1.0)}
        assert found == ids


def test_deleting_an_original_gives_its_copies_the_next_original(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    engine = _fold(path)
    assert engine.store.copy_link("b") is not None and engine.store.copy_link("c") is not None
    assert engine.store.copy_link("b").original == "a"  # type: ignore[union-attr]
    story = engine.store.story_of("a")
    report = engine.delete(["a", "nope"])
    assert report.deleted == ("a",) and report.missing == ("nope",)
    assert report.new_originals == ("b",)
    store = engine.store
    assert store.article("a") is None and store.copy_link("b") is None
    link = store.copy_link("c")
    assert link is not None and link.original == "b" and link.kind == "near"
    assert _rows(path, "SELECT count(*) FROM representations WHERE article = 'a'") == [(0,)]
    assert _rows(path, "SELECT count(*) FROM lsh_bands WHERE article = 'a'") == [(0,)]
    assert story is not None and store.story_of("b") == story
    assert store.story_states()[story].size == 1
    check_consistent(engine, path)
    engine.close()

    # After a restart the index answers as before: a new copy of the text
    # finds its original, now b.
    engine = _engine(path)
    check_consistent(engine, path)
    engine.ingest([_raw("e", ORIGINAL, "2024-01-05T08:00:00Z")])
    link = engine.store.copy_link("e")
    assert link is not None and link.original == "b" and link.kind == "exact"
    engine.close()


def test_the_story_loses_the_article_and_goes_when_empty(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    engine = _fold(path)
    alone = engine.store.story_of("d")
    assert alone is not None and engine.store.story_article_ids(alone) == ["d"]
    before = engine.store.story_states()[engine.store.story_of("a")]  # type: ignore[index]
    report = engine.delete(["d"])
    assert report.stories_deleted == (alone,)
    assert alone not in engine.store.story_ids() and engine.store.digest(alone) is None
    # the other story's sums did not move
    after = engine.store.story_states()[engine.store.story_of("a")]  # type: ignore[index]
    assert np.allclose(before.lead, after.lead) and before.size == after.size
    engine.delete(["a", "b", "c"])
    assert engine.store.story_ids() == [] and engine.store.count_articles() == 0
    check_consistent(engine, path)
    engine.close()


def test_refolded_sums_equal_a_fresh_fold_of_the_rest(tmp_path: Path) -> None:
    engine = _fold(tmp_path / "one.db")
    engine.delete(["b"])
    fresh = _engine(tmp_path / "two.db")
    fresh.ingest(
        [
            _raw("a", ORIGINAL, "2024-01-01T08:00:00Z"),
            _raw("c", EDITED, "2024-01-03T08:00:00Z"),
            _raw("d", OTHER, "2024-01-02T09:00:00Z"),
        ]
    )
    for aid in ("a", "d"):
        one = engine.store.story_states()[engine.store.story_of(aid)]  # type: ignore[index]
        two = fresh.store.story_states()[fresh.store.story_of(aid)]  # type: ignore[index]
        assert one.size == two.size and one.words == two.words
        assert np.allclose(one.lead, two.lead) and np.allclose(one.content, two.content)
        assert (one.first_seen, one.last_seen) == (two.first_seen, two.last_seen)
    engine.close()
    fresh.close()


def test_expire_by_published_date_else_ingest_time(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    engine = _fold(path)
    engine.ingest([_raw("undated", OTHER.replace("Lindau", "Konstanz"), None)])
    report = engine.expire("2024-01-02")
    assert report.deleted == ("a",)
    assert engine.store.copy_link("b") is None  # b is the original now
    # an undated article is dated by its ingest time: now
    assert "undated" not in engine.expire("2024-06-01").deleted
    assert set(engine.expire("9999-01-01").deleted) == {"undated"}
    check_consistent(engine, path)
    with pytest.raises(StoryfoldError, match="ISO date"):
        engine.expire("last tuesday")
    engine.close()


def test_cli_delete_and_expire(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _fold(path).close()
    runner = CliRunner()
    result = runner.invoke(app, ["delete", "--db", str(path), "a", "zzz"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 articles" in result.output and "not stored: zzz" in result.output
    result = runner.invoke(app, ["expire", "--db", str(path), "--before", "2024-01-03"])
    assert result.exit_code == 0, result.output
    assert "deleted 2 articles" in result.output  # b (Jan 2) and d (Jan 2)
    listed = runner.invoke(app, ["copies", "--db", str(path)])
    assert listed.exit_code == 0 and listed.output.strip() == ""  # c alone is left
    bad = runner.invoke(app, ["expire", "--db", str(path), "--before", "soon"])
    assert bad.exit_code == 2 and "ISO date" in bad.output
    missing = runner.invoke(app, ["delete", "--db", str(tmp_path / "none.db"), "a"])
    assert missing.exit_code == 2


_POOL = {
    "o": ORIGINAL,
    "e": EDITED,
    "x": OTHER,
    "y": OTHER.replace("Saturday", "Sunday").replace("80,000", "90,000"),
    "z": "Heavy snow closed the mountain pass above Andermatt for a second day. "
    "Police turned back about 400 cars and asked drivers to wait in the valley. "
    "The pass should open again on Thursday if the weather clears, officials said. "
    "Trains through the base tunnel ran on time and carried extra cars.",
}

_steps = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from(sorted(_POOL)), st.integers(1, 9)),
        st.tuples(st.just("del"), st.integers(0, 30), st.just(0)),
        st.tuples(st.just("restart"), st.just(0), st.just(0)),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=_steps)
def test_index_stays_consistent_under_ingests_deletes_and_restarts(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, str | int, int]]
) -> None:
    path = tmp_path_factory.mktemp("prop") / "s.db"
    engine = _engine(path)
    made = 0
    for op, what, day in steps:
        if op == "add":
            made += 1
            published = None if day == 9 else f"2024-01-0{day}T00:00:00Z"
            engine.ingest([_raw(f"{what}{made}", _POOL[str(what)], published)])
        elif op == "del":
            ids = [a.id for a in engine.store.articles()]
            if ids:
                engine.delete([ids[int(what) % len(ids)]])
        else:
            engine.close()
            engine = _engine(path)
        check_consistent(engine, path)
        # every family's original is its earliest published, else first seen
        for aid in (a.id for a in engine.store.articles()):
            if (link := engine.store.copy_link(aid)) is not None:
                copy, original = engine.store.article(aid), engine.store.article(link.original)
                assert copy is not None and original is not None
                assert (original.published is None, original.published or "", original.seen) <= (
                    copy.published is None,
                    copy.published or "",
                    copy.seen,
                )
    engine.close()


def test_band_keys_of_another_scheme_are_rebuilt_on_open(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    engine = _fold(path)
    with engine.store.transaction():
        engine.store._db.execute("UPDATE lsh_bands SET key = 'old:' || key")
        engine.store.set_meta("band_keys", "1:32x128")
    engine.close()
    engine = _engine(path)
    check_consistent(engine, path)
    assert not _rows(path, "SELECT key FROM lsh_bands WHERE key LIKE 'old:%'")
    engine.ingest([_raw("f", EDITED.replace("Ferries", "Boats"), "2024-01-04T08:00:00Z")])
    link = engine.store.copy_link("f")
    assert link is not None and link.kind == "near" and link.original == "a"
    engine.close()
