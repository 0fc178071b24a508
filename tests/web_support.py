"""Shared pieces of the web tests: the apps under test and their stores."""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

from storyfold import Engine, Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "test-token-1234"


def hashing_engine(path: Path) -> Engine:
    """The default engine but for the embedder: no model to load for small stores."""
    return Engine.open(path, settings=Settings(embedder="hashing"))


def client(app: object) -> TestClient:
    return TestClient(app)  # type: ignore[arg-type]


def count_articles(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])


HOSTILE = "<script>window.__pwned=1</script>"
"""A payload that, run, leaves a mark a browser test can look for."""


def hostile_articles() -> list[dict[str, str]]:
    """Two articles with a script in every field a page shows (the byline is
    set in the store by the fixture: no reader takes markup as a byline)."""
    quote = f'"{HOSTILE} We will not allow another fire like this one," Quimby told reporters.'
    body = (
        "The mayor of Springfield, John Quimby, banned fireworks on Monday after a fire "
        "destroyed three homes in the old town district, officials said.\n"
        f"{quote}\n"
        "The city council will vote on a permanent ban next month, according to council "
        "members who spoke to local media about the plan.\n"
        "Firefighters said the blaze started late on Sunday night when a rocket landed on a "
        '<img src=x onerror="window.__pwned=2"> wooden roof near the river.\n'
    )
    return [
        {
            "id": "hostile-1",
            "title": f"{HOSTILE}Fireworks <b>banned</b>",
            "text": body,
            "source": f"{HOSTILE}Evil Times",
            "url": "javascript:window.__pwned=3",
            "published": "2026-11-02",
        },
        {
            "id": "hostile-2",
            "title": f"Springfield bans fireworks {HOSTILE}",
            "text": body.replace("Monday", "Tuesday"),
            "source": "Springfield <i>Gazette</i>",
            "published": "2026-11-03",
        },
    ]


def broken_engine(path: Path) -> Engine:
    """An engine factory that fails, as a store of another embedder makes it fail."""
    from storyfold.errors import StoreError

    raise StoreError(f"{path} holds vectors of the embedder 'use', not 'hashing'")
