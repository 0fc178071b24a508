"""Bad input never loses good input: each gets a one-line error naming the file
(and line), the rest is ingested, and the exit code says something was skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from storyfold.cli import app

from .conftest import SEEDS

GOOD = (SEEDS / "000_a61859e1349bc34b.txt").read_text(encoding="utf-8")


def _inputs(folder: Path) -> list[str]:
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(os.urandom(2048) + b"\x00" * 16)
    sentence = (
        "Café owners in Zürich said the naïve plan would cost €2m, the council’s report said."
    )
    (folder / "western.txt").write_bytes((sentence + "\n").encode("cp1252") * 3)
    lines = [
        json.dumps({"id": "j1", "text": GOOD, "source": "Fox News", "section": "world"}),
        '{"id": "j2", "text": "unterminated',
        json.dumps({"id": "j3", "text": "A second good article about a different matter. " * 5}),
    ]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "huge.txt").write_bytes(b"word " * (10 * 1024 * 1024))  # 50 MB
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    return [str(folder), str(folder / "does-not-exist.txt")]


def test_bad_inputs_are_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in")
    db = tmp_path / "s.db"
    result = CliRunner().invoke(app, ["ingest", "--db", str(db), "--embedder", "hashing", *inputs])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    skipped = [line for line in lines if line.startswith("skipped:")]
    expect = {
        "empty.txt": "empty",
        "binary.txt": "binary",
        "feed.jsonl:2": "invalid JSON",
        "huge.txt": "too large",
        "does-not-exist.txt": "no such file",
    }
    for name, reason in expect.items():
        assert any(name in line and reason in line for line in skipped), (name, skipped)
    assert len(skipped) == len(expect)
    assert any("western.txt" in line and "cp1252" in line for line in lines)
    assert "ingested 4, unchanged 0, skipped 5" in result.output

    export = CliRunner().invoke(app, ["export", "--db", str(db), "--what", "articles"])
    rows = [json.loads(line) for line in export.output.splitlines()]
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {"good", "western", "j1", "j3"}
    assert "Café owners in Zürich" in by_id["western"]["body"]
    assert by_id["j1"]["metadata"] == {"section": "world"}
    assert by_id["j1"]["source"] == "Fox News"
    # j1 and good.txt hold the same text: one is an exact copy of the other
    assert by_id["good"]["copy_kind"] == "exact" and by_id["good"]["copy_of"] == "j1"


def test_clean_run_exits_zero(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["ingest", "--db", str(db), "--embedder", "hashing", str(tmp_path / "a.txt")]
    )
    assert result.exit_code == 0, result.output
    assert "ingested 1, unchanged 0, skipped 0" in result.output


def test_store_errors_are_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["stories", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: no store at")
    not_a_store = tmp_path / "junk.db"
    not_a_store.write_bytes(b"this is not sqlite" * 100)
    result = CliRunner().invoke(app, ["stories", "--db", str(not_a_store)])
    assert result.exit_code == 2 and "not a storyfold store" in result.output


def test_batch_refuses_a_negative_story_window_before_starting_a_cluster(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    for option in ("--story-window", "--story-lead-in"):
        result = CliRunner().invoke(app, ["batch", "--db", str(db), option, "-1", str(SEEDS)])
        assert result.exit_code == 2
        assert "0 or more articles" in result.output
    assert not db.exists()
