"""Kill the process in the middle of an ingest: the store opens afterwards,
holds no half batch, and the same ingest finishes the work."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from storyfold import Engine
from storyfold.store import Store

from .conftest import DATA

BATCH = 8


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as con:
            return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_kill_mid_ingest_then_finish(tmp_path: Path) -> None:
    source = DATA / "stories" / "ecbplus-dev.jsonl"
    lines = source.read_text(encoding="utf-8").splitlines()[:200]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    command = [
        sys.executable,
        "-m",
        "storyfold",
        "ingest",
        "--db",
        str(db),
        "--batch-size",
        str(BATCH),
        str(feed),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _count(db) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"

    store = Store.open(db)
    done = store.count_articles()
    assert 0 < done < len(lines)
    assert done % BATCH == 0, "a batch was committed in part"
    for article in store.articles():
        assert store.story_of(article.id) is not None
        assert store.representation(article.id) is not None
    store.close()

    with Engine.open(db) as engine:
        report = engine.ingest_paths([feed])
        assert report.unchanged == done
        assert report.ingested + len(report.skipped) == len(lines) - done
        assert engine.store.count_articles() == len(lines)
