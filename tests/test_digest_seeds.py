"""The story digest on the five seeds, against the hand-made gold."""

from __future__ import annotations

import re
from typing import Any

import pytest
from typer.testing import CliRunner

from storyfold import Engine
from storyfold.cli import app
from storyfold.export import export_articles, export_stories, story_record

from .conftest import SEEDS


@pytest.fixture(scope="module")
def stories(folded: Engine, gold: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Export records by gold story name (S1, S2)."""
    records = {frozenset(s["articles"]): s for s in export_stories(folded.store)}
    return {name: records[frozenset(g["articles"])] for name, g in gold["stories"].items()}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[“”\"'‘’]", "", text).split()).lower()


def test_gold_quotes_found_with_their_speakers(
    stories: dict[str, dict[str, Any]], gold: dict[str, Any]
) -> None:
    quotes = [q for s in stories.values() for q in s["quotes"]]
    found = [
        g
        for g in gold["quotes"]
        if any(
            g["article"] in q["articles"]
            and _norm(q["text"]).startswith(_norm(g["starts"]))
            and q["speaker"] == g["speaker"]
            for q in quotes
        )
    ]
    assert len(found) >= 5, [g["starts"] for g in gold["quotes"] if g not in found]


def test_quotes_come_from_bodies_never_the_comment_thread(
    folded: Engine, gold: dict[str, Any]
) -> None:
    articles = {a["id"]: a for a in export_articles(folded.store)}
    [(thread_article, meta)] = [
        (a, m) for a, m in gold["articles"].items() if isinstance(m["boilerplate_lines"], str)
    ]
    first, last = (int(n) for n in meta["boilerplate_lines"].split()[0].split("-"))
    lines = (SEEDS / f"{thread_article}.txt").read_text(encoding="utf-8").splitlines()
    comments = [_norm(line) for line in lines[first - 1 : last] if len(line) > 20]
    quotes = [q for story in export_stories(folded.store) for q in story["quotes"]]
    assert quotes
    for quote in quotes:
        text = _norm(quote["text"])
        assert not any(text[:40] in c or c[:40] in text for c in comments), quote
        assert any(text[:40] in _norm(articles[a]["body"]) for a in quote["articles"])


def test_a_quote_repeated_by_a_copy_is_one_quote(stories: dict[str, dict[str, Any]]) -> None:
    [dup] = [q for q in stories["S1"]["quotes"] if q["text"].startswith("Both sides are more")]
    assert set(dup["articles"]) == {"000_a61859e1349bc34b", "001_548b1945a47a36b1"}


def test_one_lavrov_in_the_2022_story(stories: dict[str, dict[str, Any]]) -> None:
    lavrovs = [e for e in stories["S1"]["entities"] if any("Lavrov" in v for v in e["variants"])]
    assert len(lavrovs) == 1
    [lavrov] = lavrovs
    assert lavrov["type"] == "person"
    assert {"Sergei Lavrov", "Sergey Lavrov"} <= set(lavrov["variants"])
    assert lavrov["mentions"] >= 10


_STOP = {"with", "that", "from", "called", "their", "they", "this", "only", "have", "will"}


def _keys(text: str) -> set[str]:
    """Content words of a text, by their first five letters (sanction/sanctions)."""
    words = re.findall(r"[A-Za-z][A-Za-z-]+", text.replace("-", ""))
    return {w.lower()[:5] for w in words if len(w) >= 4 and w.lower() not in _STOP}


def _carriers(fact: str, coverage: list[dict[str, Any]]) -> list[set[str]]:
    """The article sets of the claims closest to a gold fact (at least 2 words shared)."""
    scored = [(len(_keys(fact) & _keys(c["claim"])), c) for c in coverage]
    best = max((score for score, _ in scored), default=0)
    return [set(c["articles"]) for score, c in scored if score == best and best >= 2]


def test_coverage_shared_and_single_outlet_facts(
    stories: dict[str, dict[str, Any]], gold: dict[str, Any]
) -> None:
    coverage = stories["S1"]["coverage"]
    every = set(gold["stories"]["S1"]["articles"])
    for fact in gold["coverage_differences_S1"]["shared_by_all_sources"]:
        assert every in _carriers(fact, coverage), fact
    hits, total = 0, 0
    for key, facts in gold["coverage_differences_S1"].items():
        if not key.startswith("only_"):
            continue
        numbers = re.findall(r"\d{3}", key)
        outlet = {a for a in every if a[:3] in numbers}
        for fact in facts:
            total += 1
            hits += outlet in _carriers(fact, coverage)
    assert total == 6 and hits >= 4


def test_the_2022_and_2024_stories_are_related_by_their_actors(
    stories: dict[str, dict[str, Any]],
) -> None:
    s1, s2 = stories["S1"], stories["S2"]
    [to_s2] = [r for r in s1["related"] if r["story"] == s2["story"]]
    [to_s1] = [r for r in s2["related"] if r["story"] == s1["story"]]
    for why in (to_s1["why"], to_s2["why"]):
        assert "Lavrov" in why and "Wang Yi" in why


def test_summary_sentences_cite_their_articles(stories: dict[str, dict[str, Any]]) -> None:
    for story in stories.values():
        assert story["summary"]
        for sentence in story["summary"]:
            assert set(sentence["articles"]) <= set(story["articles"])


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_show_formats(folded: Engine, stories: dict[str, dict[str, Any]], fmt: str) -> None:
    sid = stories["S2"]["story"]
    result = CliRunner().invoke(app, ["show", "--db", str(folded.store.path), sid, "--format", fmt])
    assert result.exit_code == 0, result.output
    quote = stories["S2"]["quotes"][0]
    if fmt == "json":
        import json

        assert json.loads(result.output) == story_record(folded.store, sid)
    else:
        assert quote["speaker"] in result.output and "Related" in result.output.title()
    if fmt == "html":
        assert result.output.startswith("<!doctype html>")


def test_show_refuses_an_unknown_format(folded: Engine) -> None:
    result = CliRunner().invoke(
        app, ["show", "--db", str(folded.store.path), "000_a61859e1349bc34b", "--format", "pdf"]
    )
    assert result.exit_code == 2 and "--format" in result.output
