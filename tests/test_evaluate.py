"""The scorers on hand-computed cases, and the eval and copies commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyfold.cli import app
from storyfold.config import Settings
from storyfold.evaluate import ari, bcubed, evaluate, pairwise

from .conftest import SEEDS


def test_bcubed_by_hand() -> None:
    # gold {a,b,c} {d}; predicted {a,b} {c,d}
    p, r, f = bcubed(["x", "x", "x", "y"], ["1", "1", "2", "2"])
    # precision: a 1, b 1, c 1/2, d 1/2 -> 0.75; recall: a 2/3, b 2/3, c 1/3, d 1 -> 2/3
    assert p == pytest.approx(0.75) and r == pytest.approx(2 / 3)
    assert f == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))


def test_pairwise_and_ari_by_hand() -> None:
    gold, pred = ["x", "x", "x", "y"], ["1", "1", "2", "2"]
    # gold pairs ab ac bc; predicted ab cd; shared ab
    assert pairwise(gold, pred) == pytest.approx((0.5, 1 / 3, 0.4))
    assert ari(gold, gold) == pytest.approx(1.0)
    assert ari(["x", "x", "y", "y"], ["1", "2", "1", "2"]) < 0


def test_eval_copies_command_on_the_seeds(tmp_path: Path, gold: dict[str, object]) -> None:
    families = {"001_548b1945a47a36b1": "000_a61859e1349bc34b"}
    rows = [
        {
            "id": p.stem,
            "text": p.read_text(encoding="utf-8"),
            "family": families.get(p.stem, p.stem),
        }
        for p in sorted(SEEDS.glob("*.txt"))
    ]
    labelled = tmp_path / "seeds.jsonl"
    labelled.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "copies", str(labelled)])
    assert result.exit_code == 0, result.output
    assert "ari                 1.0" in result.output


def _seed_stories(path: Path, gold: dict[str, object]) -> Path:
    articles = gold["articles"]
    assert isinstance(articles, dict)
    rows = [
        {"id": p.stem, "text": p.read_text(encoding="utf-8"), "story": articles[p.stem]["story"]}
        for p in sorted(SEEDS.glob("*.txt"))
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def test_eval_stories_after_regrouping(tmp_path: Path, gold: dict[str, object]) -> None:
    """Every article left in its own story scores below 1; regrouped, the seeds' two
    stories are found."""
    labelled = _seed_stories(tmp_path / "seeds.jsonl", gold)
    apart = Settings(story_threshold=1e9, story_merge_threshold=1e9, story_absorb_size=0)
    assert evaluate(labelled, "stories", apart).bcubed[2] < 0.8
    assert evaluate(labelled, "stories", apart, regroup=True).bcubed[2] == pytest.approx(1.0)
    result = CliRunner().invoke(app, ["eval", "stories", str(labelled), "--regroup"])
    assert result.exit_code == 0, result.output
    assert "bcubed_f1           1.0" in result.output


def test_eval_reports_a_bad_file_in_one_line(tmp_path: Path) -> None:
    labelled = tmp_path / "bad.jsonl"
    labelled.write_text('{"id": "a", "text": "no label here"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "stories", str(labelled), "--embedder", "hashing"])
    assert result.exit_code == 2
    assert f"{labelled}:1: needs 'id' and a gold 'story' field" in result.output


def test_copies_command_lists_families(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "--db", str(db), str(SEEDS)]).exit_code == 0
    result = runner.invoke(app, ["copies", "--db", str(db)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "000_a61859e1349bc34b"
    assert lines[1].split()[:2] == ["rewrite", "001_548b1945a47a36b1"]
    assert len(lines) == 2
