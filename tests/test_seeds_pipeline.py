"""The whole pipeline on the five seeds, against their hand-made gold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storyfold import Engine
from storyfold.export import export_articles, export_stories

from .conftest import SEEDS


def _stories(engine: Engine) -> set[frozenset[str]]:
    return {frozenset(s["articles"]) for s in export_stories(engine.store)}


@pytest.fixture(scope="module")
def articles(folded: Engine) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for a in export_articles(folded.store)}


def test_two_stories(folded: Engine, gold: dict[str, Any]) -> None:
    expected = {frozenset(s["articles"]) for s in gold["stories"].values()}
    assert _stories(folded) == expected


def test_only_the_rewrite_is_a_copy(
    articles: dict[str, dict[str, Any]], gold: dict[str, Any]
) -> None:
    [dup] = gold["duplicates"]
    copies = {a["id"]: (a["copy_of"], a["copy_kind"]) for a in articles.values() if a["copy_of"]}
    assert copies == {dup["copy"]: (dup["original"], "rewrite")}


def test_copy_link_keeps_its_evidence(articles: dict[str, dict[str, Any]]) -> None:
    link = articles["001_548b1945a47a36b1"]["copy_evidence"]
    assert link["aligned_sentences"] >= 3 and 0 < link["jaccard"] < 0.5


def test_titles_are_gold_lines(articles: dict[str, dict[str, Any]], gold: dict[str, Any]) -> None:
    for article_id, meta in gold["articles"].items():
        lines = (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8").splitlines()
        expected = lines[meta["title_line"] - 1].strip() if meta["title_line"] else None
        assert articles[article_id]["title"] == expected


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_boilerplate_out_and_body_in(
    articles: dict[str, dict[str, Any]], gold: dict[str, Any]
) -> None:
    for article_id, meta in gold["articles"].items():
        lines = (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8").splitlines()
        body = _norm(articles[article_id]["body"])
        boilerplate = meta["boilerplate_lines"]
        if isinstance(boilerplate, str):  # "20-66 (the comment thread ...)"
            first, last = boilerplate.split()[0].split("-")
            boilerplate = list(range(int(first), int(last) + 1))
        skip = set(boilerplate) | set(meta.get("dek_lines", [])) | {meta["title_line"]}
        for number, line in enumerate(lines, start=1):
            text = _norm(line)
            if not text or len(text) < 4:
                continue
            if number in boilerplate:
                assert text not in body, f"{article_id}:{number} boilerplate kept: {text[:60]}"
            elif number not in skip and text != _norm(meta.get("repeated_fragment", "")):
                # the page-break line (002:30) is merged with its continuation
                probe = text if number != 30 or "002" not in article_id else text[:40]
                probe = probe.replace("[", "").replace("](#)", "")
                for span in meta.get("inline_boilerplate", []):
                    probe = probe.replace(span, "\n")
                for piece in probe.split("\n"):
                    assert _norm(piece) in body, f"{article_id}:{number} body lost: {piece[:60]}"
        for span in meta.get("inline_boilerplate", []):
            assert span not in body


def test_repeated_fragment_once(articles: dict[str, dict[str, Any]], gold: dict[str, Any]) -> None:
    meta = gold["articles"]["002_a0886e23e266ed46"]
    body = _norm(articles["002_a0886e23e266ed46"]["body"])
    assert body.count(meta["repeated_fragment"]) == 1
    assert "](#)" not in body


def test_story_digest_has_title_and_summary(folded: Engine) -> None:
    for story in export_stories(folded.store):
        assert story["title"]
        assert story["summary"], story["story"]
        ids = set(story["articles"])
        for sentence in story["summary"]:
            assert sentence["articles"] and set(sentence["articles"]) <= ids


def test_reingest_changes_nothing(folded: Engine) -> None:
    before = list(export_articles(folded.store))
    report = folded.ingest_paths([SEEDS])
    assert (report.ingested, report.unchanged, len(report.skipped)) == (0, 5, 0)
    assert list(export_articles(folded.store)) == before


def test_incremental_equals_all_at_once(folded: Engine, tmp_path: Path) -> None:
    paths = sorted(SEEDS.glob("*.txt"))
    with Engine.open(tmp_path / "inc.db") as engine:
        engine.ingest_paths(paths[:1])
        engine.ingest_paths(paths[1:])
        assert {a["id"]: a["story"] for a in export_articles(engine.store)} == {
            a["id"]: a["story"] for a in export_articles(folded.store)
        }


def test_a_translation_is_linked_to_its_original(tmp_path: Path) -> None:
    """A German article and its human French translation (wmt21-dev de-fr)."""
    from storyfold.records import RawArticle

    from .conftest import DATA

    wanted = {"wmt-0ec4b5d8c4d240c8": "de", "wmt-cfa7f43501e95213": "fr"}
    rows = [
        row
        for line in (DATA / "copies" / "wmt21-dev.jsonl").read_text(encoding="utf-8").splitlines()
        if (row := json.loads(line))["id"] in wanted
    ]
    with Engine.open(tmp_path / "t.db") as engine:
        engine.ingest(RawArticle(id=r["id"], origin="t", text=r["text"]) for r in rows)
        link = engine.store.copy_link("wmt-cfa7f43501e95213")
        original = engine.store.article("wmt-0ec4b5d8c4d240c8")
    assert original is not None and original.lang == "de"
    assert link is not None and link.kind == "translation"
    assert link.original == "wmt-0ec4b5d8c4d240c8" and link.evidence["by_embeddings"] == 1.0
