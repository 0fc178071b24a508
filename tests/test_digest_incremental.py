"""Incremental digests: each article read once into a stored extract, a story's
digest aggregated from its extracts, related stories found through the actor
index.  Whatever the path, the digest is the one a single ingest writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyfold import Engine
from storyfold.config import Settings
from storyfold.digest import CentralSentences, coverage
from storyfold.digest.entities import Mention
from storyfold.digest.extract import (
    ArticleExtract,
    ArticleFacts,
    extract_from_row,
    extract_to_row,
)
from storyfold.digest.quotes import Found
from storyfold.records import Article, Digest
from storyfold.represent import Representer
from storyfold.represent.embedders import HashingEmbedder
from storyfold.represent.text import content_hash
from storyfold.store.schema import MIGRATIONS

from .conftest import SEEDS

# The seeds' first three articles, then the other two: story S1 (000-003) grows
# across the two ingests.
FIRST, SECOND = 3, 5


def _engine(path: Path, batch_size: int = 64, digest_every_batches: int = 8) -> Engine:
    settings = Settings(
        embedder="hashing", batch_size=batch_size, digest_every_batches=digest_every_batches
    )
    return Engine.open(path, settings=settings)


def _digests(engine: Engine) -> dict[str, Digest]:
    found = {s: engine.store.digest(s) for s in engine.store.story_ids()}
    assert all(d is not None for d in found.values()), "a story without its digest"
    return {s: d for s, d in found.items() if d is not None}


@pytest.fixture(scope="module")
def seeds() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def at_once(tmp_path_factory: pytest.TempPathFactory, seeds: list[Path]) -> dict[str, Digest]:
    """The seeds' digests when all five are ingested in one go."""
    with _engine(tmp_path_factory.mktemp("once") / "s.db") as engine:
        engine.ingest_paths(seeds)
        digests = _digests(engine)
    grown = [d for d in digests.values() if len(d.summary) and len(d.quotes) >= 2]
    assert grown, "the seeds make at least one story with quotes"
    return digests


def test_ingesting_a_then_b_gives_the_digests_of_a_and_b_at_once(
    tmp_path: Path, seeds: list[Path], at_once: dict[str, Digest]
) -> None:
    # small batches, digests written after every batch: the most incremental path
    with _engine(tmp_path / "s.db", batch_size=2, digest_every_batches=1) as engine:
        engine.ingest_paths(seeds[:FIRST])
        before = _digests(engine)
        engine.ingest_paths(seeds[FIRST:SECOND])
        after = _digests(engine)
        assert engine.store.stale_digests() == []
    assert after == at_once
    assert any(before[s] != after[s] for s in before), "no story grew between the ingests"


def _downgrade(db: Path) -> None:
    """Make ``db`` a store of the schema before extracts: the tables and column
    of that migration (and of the time-aware stories' after it) dropped, the
    schema version set back."""
    previous = next(i for i, m in enumerate(MIGRATIONS) if "article_extracts" in m)
    con = sqlite3.connect(db)
    # later migrations are undone too (6: the articles' ingest time; 7: the
    # active-story indexes, which replaced 5's)
    if any(r[1] == "ingested" for r in con.execute("PRAGMA table_info(articles)")):
        con.execute("ALTER TABLE articles DROP COLUMN ingested")
    con.executescript(
        "DROP TABLE story_changes; DROP INDEX stories_updated_id; DROP INDEX stories_seen_id; "
        "ALTER TABLE stories DROP COLUMN years; ALTER TABLE stories DROP COLUMN updated; "
        "DROP TABLE article_extracts; DROP TABLE story_actors; "
        "ALTER TABLE stories DROP COLUMN digest_stale; "
        "DELETE FROM meta WHERE key = 'story_actors';"
    )
    con.execute(f"PRAGMA user_version = {previous}")
    con.close()


def test_a_store_from_before_extracts_gets_them_on_demand(
    tmp_path: Path, seeds: list[Path], at_once: dict[str, Digest]
) -> None:
    db = tmp_path / "s.db"
    with _engine(db) as engine:
        engine.ingest_paths(seeds[:FIRST])
    _downgrade(db)
    with _engine(db) as engine:  # migrated on open: no extract, no actor index
        first = engine.store.story_article_ids(engine.store.story_of(seeds[0].stem) or "")
        assert len(first) >= 2 and engine.store.extracts(first) == {}
        engine.ingest_paths(seeds[FIRST:SECOND])
        assert _digests(engine) == at_once
        # the grown story's older articles were read again, and kept
        assert set(engine.store.extracts(first)) == set(first)
        assert engine.store.meta("story_actors") is not None


def test_a_story_whose_extract_is_missing_is_still_digested(
    tmp_path: Path, seeds: list[Path], at_once: dict[str, Digest]
) -> None:
    db = tmp_path / "s.db"
    with _engine(db) as engine:
        engine.ingest_paths(seeds)
        story = engine.store.story_of(seeds[0].stem)
        assert story is not None
        members = engine.store.story_article_ids(story)
    con = sqlite3.connect(db)
    con.execute("DELETE FROM article_extracts WHERE article = ?", (members[0],))
    con.execute("UPDATE stories SET digest = NULL, digest_stale = 1 WHERE id = ?", (story,))
    con.commit()
    con.close()
    with _engine(db) as engine:
        engine.refresh_digests()
        assert engine.store.digest(story) == at_once[story]
        assert members[0] in engine.store.extracts(members)


def test_a_stale_digest_left_by_a_crash_is_written_by_the_next_ingest(
    tmp_path: Path, seeds: list[Path], at_once: dict[str, Digest]
) -> None:
    db = tmp_path / "s.db"
    with _engine(db) as engine:
        engine.ingest_paths(seeds)
    # what a kill between a committed batch and its digests leaves behind
    con = sqlite3.connect(db)
    con.execute("UPDATE stories SET digest = NULL, digest_stale = 1")
    con.commit()
    con.close()
    with _engine(db) as engine:
        report = engine.ingest_paths(seeds)  # nothing new to ingest
        assert report.ingested == 0 and report.unchanged == len(seeds)
        assert _digests(engine) == at_once
        assert engine.store.stale_digests() == []


def test_extracts_go_with_their_article(tmp_path: Path, seeds: list[Path]) -> None:
    db = tmp_path / "s.db"
    with _engine(db) as engine:
        engine.ingest_paths(seeds[:1])
        assert set(engine.store.extracts([seeds[0].stem])) == {seeds[0].stem}
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("DELETE FROM representations")
    con.execute("DELETE FROM lsh_bands")
    con.execute("DELETE FROM articles")
    assert con.execute("SELECT count(*) FROM article_extracts").fetchone()[0] == 0
    con.close()


def test_later_articles_of_a_known_outlet_support_claims_but_open_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shared = "The river rose four metres overnight and flooded the old town centre."
    bodies = {
        "a1": f"{shared} Rescue teams worked through the night to reach stranded families.",
        "a2": "The mayor asked residents to leave their homes before the evening tide came in.",
        "a3": f"{shared} A local baker handed out free bread to volunteers at the town hall.",
        "a4": "Insurers said the claims would run into the hundreds of millions of euros.",
    }
    articles = [
        Article(aid, "test", body, content_hash(body), source="y" if aid == "a4" else "x")
        for aid, body in bodies.items()
    ]
    representer = Representer(HashingEmbedder())
    members = [(a, r, None) for a, r in zip(articles, representer.represent(articles), strict=True)]
    vector = CentralSentences(representer.terms).vector
    everything = {c.text: c.articles for c in coverage.claims(members, vector)}
    assert any(t.startswith("A local baker") for t in everything)
    monkeypatch.setattr(coverage, "OPENING_ARTICLES", 2)
    bounded = {c.text: c.articles for c in coverage.claims(members, vector)}
    assert bounded[shared] == ("a1", "a3")  # a3 still supports what it shares
    assert not any(t.startswith("A local baker") for t in bounded)  # opens nothing
    assert any(t.startswith("Insurers said") for t in bounded)  # a new outlet's first


_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
_vector = st.lists(
    st.tuples(st.integers(0, 4095), st.floats(-1, 1, width=32)),
    max_size=8,
    unique_by=lambda p: p[0],
)


@given(
    quotes=st.lists(st.tuples(_text, _text, st.booleans()), max_size=3),
    mentions=st.lists(
        st.tuples(_text, st.sampled_from(["person", "organisation", "place"])), max_size=4
    ),
    dates=st.lists(_text, max_size=3),
    vectors=st.lists(st.tuples(_vector, _vector), max_size=5),
)
def test_an_extract_survives_its_row_round_trip(
    quotes: list[tuple[str, str, bool]],
    mentions: list[tuple[str, str]],
    dates: list[str],
    vectors: list[tuple[list[tuple[int, float]], list[tuple[int, float]]]],
) -> None:
    def sparse(pairs: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.array([i for i, _ in pairs], dtype=np.uint32),
            np.array([w for _, w in pairs], dtype=np.float32),
        )

    facts = ArticleFacts(
        tuple(Found(*q) for q in quotes),
        tuple(Mention(t, k, "a1") for t, k in mentions),  # type: ignore[arg-type]
        tuple(dates),
    )
    extract = ArticleExtract(
        "a1",
        "hash",
        facts,
        tuple(sparse(s) for s, _ in vectors),
        tuple(sparse(c) for _, c in vectors),
    )
    back = extract_from_row("a1", "hash", *extract_to_row(extract))
    assert back.facts == facts and back.content_hash == "hash"
    for mine, theirs in [(extract.sentences, back.sentences), (extract.claims, back.claims)]:
        assert len(mine) == len(theirs)
        for (i, w), (j, v) in zip(mine, theirs, strict=True):
            assert i.tolist() == j.tolist() and w.tolist() == v.tolist()
