"""The learned plain-text cleaner: seeds' gold, reasons, idempotence, the model file."""

from __future__ import annotations

import doctest
import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

import storyfold.clean.learned
from storyfold.clean.base import TextCleaner
from storyfold.clean.features import FEATURES, line_features
from storyfold.clean.learned import LearnedTextCleaner, load_line_model
from storyfold.clean.model import ModelFileError, TreeEnsemble
from storyfold.clean.rules import REASONS, Line
from storyfold.clean.text import rule_verdicts
from storyfold.cli import app
from storyfold.records import Cleaned

from .test_clean_text import (
    SEEDS,
    boilerplate_numbers,
    gold,
    names,
    needs_seeds,
    norm,
    page_texts,
    seed_lines,
)


@cache
def cleaned(name: str) -> Cleaned:
    return LearnedTextCleaner().clean((SEEDS / f"{name}.txt").read_text("utf-8"))


def test_is_a_text_cleaner() -> None:
    cleaner: TextCleaner = LearnedTextCleaner()
    assert cleaner.clean("").body == ""


def test_docstring_examples() -> None:
    result = doctest.testmod(storyfold.clean.learned)
    assert result.attempted and not result.failed


@needs_seeds
@pytest.mark.parametrize("name", names())
def test_seed_boilerplate_lines_are_not_in_body(name: str) -> None:
    body = norm(cleaned(name).body)
    for number in boilerplate_numbers(gold()[name]):
        line = norm(seed_lines(name)[number - 1])
        if len(line) >= 4:
            assert line not in body, f"{name}:{number} kept: {line[:60]}"


@needs_seeds
@pytest.mark.parametrize("name", names())
def test_seed_body_lines_are_kept(name: str) -> None:
    entry = gold()[name]
    skip = boilerplate_numbers(entry) | set(entry.get("dek_lines", [])) | {entry["title_line"]}
    body = norm(cleaned(name).body)
    fragment = norm(entry.get("repeated_fragment", ""))
    for number, raw in enumerate(seed_lines(name), start=1):
        line = norm(raw)
        if number in skip or len(line) < 4 or line == fragment:
            continue
        for span in entry.get("inline_boilerplate", []):
            line = line.replace(span, "\n")
        for piece in line.split("\n"):
            piece = " ".join(piece.split())
            if len(piece) >= 4:
                # a page-break line is joined with its continuation: look for its start
                assert piece[:40] in body, f"{name}:{number} lost: {piece[:60]}"


def test_model_removals_say_why() -> None:
    page = "\n".join(
        [
            "Home",
            "World",
            "Business",
            "Sport",
            "Ministers meet in Beijing to discuss trade ties",
            "The two ministers met on Monday in Beijing, where they discussed trade, "
            "energy and the war, officials from both sides said after the talks ended.",
            "They agreed to meet again next year in Moscow, the foreign ministry said in "
            "a statement published on its website later that evening.",
            "Share this article",
            "Most read",
            "Celebrity chef opens a third restaurant in the city",
            "Council approves new budget after a long debate",
            "Weather: rain expected across the region this weekend",
        ]
    )
    result = LearnedTextCleaner().clean(page)
    assert "The two ministers met on Monday" in result.body
    assert "Celebrity chef" not in result.body
    reasons = [span.reason for span in result.removed]
    assert reasons
    for reason in reasons:
        assert reason in REASONS or reason.startswith("line classifier: p(boilerplate)=0.")


def test_empty_and_blank_input() -> None:
    assert LearnedTextCleaner().clean("").body == ""
    assert LearnedTextCleaner().clean(" \n\n\t\n").body == ""


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_texts())
def test_cleaning_twice_equals_cleaning_once(text: str) -> None:
    cleaner = LearnedTextCleaner()
    once = cleaner.clean(text)
    assert cleaner.clean(once.body).body == once.body


def test_features_match_the_model_and_have_no_gaps() -> None:
    model = load_line_model()
    assert model.features == FEATURES
    lines = rule_verdicts("Home\nA headline about the talks today\nThe talks went on. " * 3).lines
    x = line_features(lines, None)
    assert x.shape == (len(lines), len(FEATURES))
    assert np.isfinite(x).all()
    assert line_features([], None).shape == (0, len(FEATURES))


def test_numpy_trees_walk_like_their_definition(tmp_path: object) -> None:
    """A hand-made two-tree ensemble: each row lands in the leaf its tests lead to."""
    model = TreeEnsemble(
        feature=np.array([[0, 0, 0], [1, 0, 0]], dtype=np.int32),
        threshold=np.array([[0.5, np.inf, np.inf], [2.0, np.inf, np.inf]], dtype=np.float32),
        left=np.array([[1, 1, 2], [1, 1, 2]], dtype=np.int32),
        right=np.array([[2, 1, 2], [2, 1, 2]], dtype=np.int32),
        value=np.array([[0.0, -1.0, 1.0], [0.0, -0.5, 0.5]], dtype=np.float32),
        baseline=0.25,
        depth=1,
        features=("a", "b"),
        meta={},
    )
    x = np.array([[0.0, 3.0], [1.0, 1.0], [0.5, 2.0]], dtype=np.float32)
    assert model.decision(x).tolist() == [0.25 - 1.0 + 0.5, 0.25 + 1.0 - 0.5, 0.25 - 1.0 - 0.5]


def test_trees_that_leave_their_range_are_refused() -> None:
    model = load_line_model()
    with pytest.raises(ModelFileError, match="children"):
        TreeEnsemble(
            model.feature,
            model.threshold,
            model.left,
            model.right + model.feature.shape[1],
            model.value,
            model.baseline,
            model.depth,
            model.features,
            {},
        )
    with pytest.raises(ModelFileError, match="line_features"):
        model.decision(np.zeros((3, 2), dtype=np.float32))


def test_a_model_for_other_features_is_refused(tmp_path: pytest.TempPathFactory) -> None:
    model = load_line_model()
    path = tmp_path / "other.npz"  # type: ignore[operator]
    TreeEnsemble(
        model.feature,
        model.threshold,
        model.left,
        model.right,
        model.value,
        model.baseline,
        model.depth,
        ("not", "these"),
        {},
    ).save(path)
    with pytest.raises(ModelFileError, match="train_line_classifier"):
        TreeEnsemble.load(path, FEATURES)
    with pytest.raises(ModelFileError, match="cannot read"):
        TreeEnsemble.load(path.with_name("missing.npz"), FEATURES)


def test_probabilities_are_probabilities() -> None:
    lines = [Line("Subscribe to our newsletter"), Line("The minister said the talks went well.")]
    p = LearnedTextCleaner().boilerplate_probability(lines, None)
    assert all(0.0 <= v <= 1.0 for v in p)


def test_eval_clean_command(tmp_path: Path) -> None:
    body = (
        "The two ministers met on Monday in Beijing, where they discussed trade, energy "
        "and the war, officials from both sides said after the talks ended."
    )
    rows = [
        {"id": "a", "page_text": f"Home\nWorld\nSport\n{body}\nShare this", "gold_body": body},
        {"id": "b", "page_text": body, "gold_body": body},
    ]
    path = tmp_path / "pages.text.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "clean", str(path)])
    assert result.exit_code == 0, result.output
    assert "f1" in result.output and "1.0" in result.output
    missing = CliRunner().invoke(app, ["eval", "clean", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "no such file" in missing.output
