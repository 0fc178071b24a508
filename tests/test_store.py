"""Storage and normalisation properties."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from storyfold.records import Article, RemovedSpan
from storyfold.represent.base import Representation
from storyfold.represent.minhash import signature_from_blob, signature_to_blob
from storyfold.represent.terms import terms_from_blob, terms_to_blob
from storyfold.represent.text import content_hash
from storyfold.store import Store
from storyfold.store.schema import MIGRATIONS
from storyfold.store.sqlite import ACTIVE_BY_DAY, ACTIVE_BY_SEQ

texts = st.text(min_size=1, max_size=400)


def _rep(article_id: str, sentences: int, dim: int = 8) -> Representation:
    rng = np.random.default_rng(sentences)
    return Representation(
        article=article_id,
        signature=rng.integers(0, 2**32, 16, dtype=np.uint32),
        sentences=tuple(f"s{i}" for i in range(sentences)),
        lead=rng.standard_normal(dim).astype(np.float32),
        names=(np.array([3, 1], np.uint32), np.array([0.8, 0.6], np.float32)),
        content=(np.array([7], np.uint32), np.array([1.0], np.float32)),
        phrases=(np.array([], np.uint32), np.array([], np.float32)),
        words=sentences * 12,
    )


@settings(max_examples=60, deadline=None)
@given(
    body=texts,
    title=st.none() | texts,
    removed=st.lists(st.tuples(texts, texts), max_size=3),
    meta=st.dictionaries(st.text(min_size=1, max_size=10), texts, max_size=3),
)
def test_any_article_comes_back_unchanged(
    body: str, title: str | None, removed: list[tuple[str, str]], meta: dict[str, str]
) -> None:
    store = Store.open(":memory:")
    article = Article(
        id="a",
        origin="x:1",
        body=body,
        content_hash=content_hash(body),
        title=title,
        removed=tuple(RemovedSpan(t, r) for t, r in removed),
        metadata=tuple(sorted(meta.items())),
    )
    with store.transaction():
        seq = store.put_article(article, _rep("a", 3), ["0:k"])
    assert store.article("a") == Article(**{**_fields(article), "seen": seq})


def _fields(article: Article) -> dict[str, object]:
    return {name: getattr(article, name) for name in Article.__slots__}


@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=256))
def test_signature_blob_round_trip(values: list[int]) -> None:
    signature = np.array(values, dtype=np.uint32)
    assert np.array_equal(signature_from_blob(signature_to_blob(signature)), signature)


@given(st.lists(st.tuples(st.integers(0, 4095), st.floats(-1, 1, width=32)), max_size=50))
def test_terms_blob_round_trip(pairs: list[tuple[int, float]]) -> None:
    terms = (
        np.array([p[0] for p in pairs], np.uint32),
        np.array([p[1] for p in pairs], np.float32),
    )
    back = terms_from_blob(terms_to_blob(terms))
    assert np.array_equal(back[0], terms[0]) and np.array_equal(back[1], terms[1])


def test_representation_round_trip(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    rep = _rep("a", 5)
    with store.transaction():
        store.put_article(Article(id="a", origin="o", body="b", content_hash="h"), rep, [])
    store.close()
    back = Store.open(tmp_path / "s.db").representation("a")
    assert back is not None
    assert back.sentences == rep.sentences
    assert np.array_equal(back.signature, rep.signature)
    for name in ("names", "content", "phrases"):
        for got, want in zip(getattr(back, name), getattr(rep, name), strict=True):
            assert np.array_equal(got, want)
    assert np.array_equal(back.lead, rep.lead) and back.words == rep.words
    store = Store.open(tmp_path / "s.db")
    assert store.sentence_vectors("a") is None  # made only when a copy check needs them
    rows = np.arange(40, dtype=np.float32).reshape(5, 8)
    with store.transaction():
        store.put_sentence_vectors("a", rows)
    stored = store.sentence_vectors("a")
    assert stored is not None and np.array_equal(stored, rows)


def test_rollback_leaves_nothing(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    try:
        with store.transaction():
            store.put_article(
                Article(id="a", origin="o", body="b", content_hash="h"), _rep("a", 2), []
            )
            raise RuntimeError("crash in the middle of a batch")
    except RuntimeError:
        pass
    assert store.count_articles() == 0
    assert store.nearest(np.ones(8, np.float32), 5, -1.0) == []


def test_migrations_bring_a_store_to_the_latest_schema(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    store.close()
    import sqlite3

    with sqlite3.connect(tmp_path / "s.db") as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    Store.open(tmp_path / "s.db").close()  # opening again migrates nothing


def test_the_active_story_query_reads_only_indexes(tmp_path: Path) -> None:
    """Each original an ingest folds asks for the active stories' ids; the
    story rows hold ~50 KB of vector sums each, so both halves of the query
    must be answered from indexes holding the id."""
    import sqlite3

    Store.open(tmp_path / "s.db").close()
    with sqlite3.connect(tmp_path / "s.db") as con:
        plan = [
            str(row[-1])
            for row in con.execute(
                f"EXPLAIN QUERY PLAN {ACTIVE_BY_SEQ} UNION {ACTIVE_BY_DAY}",
                (0, "2024-01-01", "2024-01-15"),
            )
        ]
    searches = [p for p in plan if p.startswith("SEARCH stories")]
    assert len(searches) == 2 and all("COVERING INDEX" in p for p in searches), plan


def test_a_schema_1_store_is_migrated_with_its_articles(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    old.execute(
        "INSERT INTO articles (id, origin, content_hash, body) VALUES ('a', 'a.txt', 'h', 'b')"
    )
    old.commit()
    old.close()
    store = Store.open(path)
    assert store.count_articles() == 1
    assert store.feed_validators("https://x.example/rss") is None
    with store.transaction():
        store.set_feed_validators("https://x.example/rss", ('"e"', None), "2026-11-23T12:00:00")
        store.add_seen_items("https://x.example/rss", ["i1", "i2", "i1"])
    assert store.feed_validators("https://x.example/rss") == ('"e"', None)
    assert store.seen_items("https://x.example/rss") == {"i1", "i2"}
    store.close()


def test_outlets_count_and_date_articles_per_source(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    rows = [
        ("1", "Example News", "https://www.example.org/a", "2026-11-20T10:00:00+02:00"),
        ("2", None, "https://example.org/b", "2026-11-20T09:00:00Z"),
        ("3", "Example News", "https://example.org/c", "2026-11-20T08:30:00Z"),
        ("4", None, "https://other.example/d", None),
        ("5", None, None, None),
    ]
    with store.transaction():
        for seq, (aid, source, url, published) in enumerate(rows):
            article = Article(
                id=aid,
                origin=aid,
                body="b",
                content_hash=str(seq),
                source=source,
                url=url,
                published=published,
            )
            store.put_article(article, _rep(aid, 1), [])
    outlets = {o.name: o for o in store.outlets()}
    assert list(outlets) == ["Example News", "(unknown)", "example.org", "other.example"]
    news = outlets["Example News"]
    assert (news.domain, news.articles) == ("example.org", 2)
    # 10:00+02:00 is 08:00 UTC: earlier than 08:30Z, though it sorts later as text.
    assert (news.first_seen, news.last_seen) == (
        "2026-11-20T10:00:00+02:00",
        "2026-11-20T08:30:00Z",
    )
    assert outlets["other.example"].first_seen is None
    assert outlets["(unknown)"].domain is None
    store.close()
