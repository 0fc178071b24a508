from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from storyfold import Engine
from storyfold.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
DATA = SHARED / "data"


def consistent_stories(store: Store) -> None:
    """Every story's state counts its own non-copy members; no empty story."""
    for state in store.story_states().values():
        members = store.story_article_ids(state.id)
        originals = [a for a in members if store.copy_link(a) is None]
        assert members and state.size == len(originals), state.id


@pytest.fixture(scope="session")
def gold() -> dict[str, object]:
    return json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def folded(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The five seeds folded once for the session (the USE and spaCy models load once)."""
    engine = Engine.open(tmp_path_factory.mktemp("seeds") / "seeds.db")
    report = engine.ingest_paths([SEEDS])
    assert report.ingested == 5 and not report.skipped
    return engine


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding articles with scripts in every field, sent in through
    ``POST /api/articles``; the byline is then set in the store directly."""
    from storyfold.web import ServeOptions, create_app
    from tests.web_support import HOSTILE, TOKEN, client, hashing_engine, hostile_articles

    db = tmp_path_factory.mktemp("hostile") / "hostile.db"
    with client(create_app(db, ServeOptions(token=TOKEN), hashing_engine)) as http:
        answer = http.post(
            "/api/articles", json=hostile_articles(), headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["ingested"] == 2
    with sqlite3.connect(db) as con:
        con.execute("UPDATE articles SET byline = ?", (f"{HOSTILE} Jane Smith",))
    return db
