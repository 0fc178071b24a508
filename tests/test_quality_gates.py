"""Quality floors on pinned labelled subsets of the dev data (slow: they embed
hundreds of articles).  A floor sits just under what the shipped defaults reach
(docs/benchmarks.md); raise it when quality improves, never lower it silently.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from pathlib import Path

import pytest

from storyfold import Engine
from storyfold.digest import CentralSentences
from storyfold.records import RawArticle

from .conftest import DATA

pytestmark = pytest.mark.slow


def _rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _pinned(path: Path, digest: str) -> list[dict[str, str]]:
    """The file's rows, after checking it is the file the floors were set on."""
    actual = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    assert actual == digest, f"{path} changed ({actual}); re-measure and re-pin the floors"
    return _rows(path)


def _bcubed_f1(gold: list[str], pred: list[str]) -> float:
    precision = recall = 0.0
    for g, p in zip(gold, pred, strict=True):
        same_pred = [i for i, x in enumerate(pred) if x == p]
        same_gold = [i for i, x in enumerate(gold) if x == g]
        both = len(set(same_pred) & set(same_gold))
        precision += both / len(same_pred)
        recall += both / len(same_gold)
    precision, recall = precision / len(gold), recall / len(gold)
    return 2 * precision * recall / (precision + recall)


def _family(engine: Engine, article_id: str) -> str:
    while (link := engine.store.copy_link(article_id)) is not None:
        article_id = link.original
    return article_id


def _ecb_stories(rows: list[dict[str, str]], regroup: bool = False) -> list[str]:
    """Stories for ``rows`` ingested in their order, then regrouped when asked
    (the digest is the light one: this is about grouping, and five streams
    must fit the slow suite)."""
    engine = Engine.open(":memory:")
    engine.digester = CentralSentences(engine.representer.terms)
    engine.ingest(
        RawArticle(id=r["id"], origin="ecb", text=r["text"], url=r.get("url")) for r in rows
    )
    if regroup:
        engine.regroup()
    return [engine.store.story_of(r["id"]) or "" for r in rows]


def test_story_clustering_floor_on_ecbplus_dev() -> None:
    rows = _pinned(DATA / "stories" / "ecbplus-dev.jsonl", ECBPLUS_SHA)
    assert _bcubed_f1([r["story"] for r in rows], _ecb_stories(rows)) >= STORY_B3_FLOOR


def test_regroup_floor_on_ecbplus_dev() -> None:
    rows = _pinned(DATA / "stories" / "ecbplus-dev.jsonl", ECBPLUS_SHA)
    stories = _ecb_stories(rows, regroup=True)
    assert _bcubed_f1([r["story"] for r in rows], stories) >= REGROUP_B3_FLOOR


@pytest.fixture(scope="module")
def shuffled_scores() -> list[float]:
    """ECB+ dev B3 F1 for three shuffled arrival orders."""
    rows = _pinned(DATA / "stories" / "ecbplus-dev.jsonl", ECBPLUS_SHA)
    scores = []
    for seed in (1, 2, 3):
        shuffled = list(rows)
        random.Random(seed).shuffle(shuffled)
        scores.append(_bcubed_f1([r["story"] for r in shuffled], _ecb_stories(shuffled)))
    return scores


def test_every_arrival_order_keeps_the_floor(shuffled_scores: list[float]) -> None:
    assert min(shuffled_scores) >= STORY_B3_FLOOR, shuffled_scores


def test_stories_do_not_depend_on_arrival_order(shuffled_scores: list[float]) -> None:
    """Issue 5's criterion: three shuffled orders within 0.02 of each other
    (0.889, 0.904, 0.900 when the gate was set; 0.913, 0.926, 0.921 with the
    split model).  Over more orders the spread
    is wider: bench/story_orders.py measures file order and ten shuffles
    (docs/benchmarks.md, "story-orders")."""
    assert max(shuffled_scores) - min(shuffled_scores) <= 0.02, shuffled_scores


def test_rewrites_found_on_wmt21_english_families() -> None:
    rows = [r for r in _pinned(DATA / "copies" / "wmt21-dev.jsonl", WMT21_SHA) if r["lang"] == "en"]
    sizes = Counter(r["family"] for r in rows)
    # families with several English texts: an original or a human translation
    # and machine translations of it, the rewrites of the same article
    families = sorted(f for f, n in sizes.items() if n >= 5)[:COPY_FAMILIES]
    rows = [r for r in rows if r["family"] in set(families)]
    engine = Engine.open(":memory:")
    engine.ingest(RawArticle(id=r["id"], origin="wmt", text=r["text"], lang="en") for r in rows)
    gold = [r["family"] for r in rows]
    pred = [_family(engine, r["id"]) for r in rows]
    pairs = [(i, j) for i in range(len(rows)) for j in range(i + 1, len(rows))]
    same_gold = {(i, j) for i, j in pairs if gold[i] == gold[j]}
    same_pred = {(i, j) for i, j in pairs if pred[i] == pred[j]}
    precision = len(same_gold & same_pred) / max(1, len(same_pred))
    recall = len(same_gold & same_pred) / max(1, len(same_gold))
    assert precision >= COPY_PRECISION_FLOOR
    assert recall >= COPY_RECALL_FLOOR


ECBPLUS_SHA = "80c5cc55a820ce11"
WMT21_SHA = "71ec1ee868ac9a67"
# ECB+ dev: file order 0.913, the three shuffles 0.921-0.926; worst of eleven
# orders 0.904 (docs/benchmarks.md, story-orders)
STORY_B3_FLOOR = 0.90
# storyfold regroup after the file-order ingest: 0.963 (docs/benchmarks.md,
# stories-regroup; the model is fitted on this file, the floor guards the code)
REGROUP_B3_FLOOR = 0.955
COPY_FAMILIES = 12
COPY_PRECISION_FLOOR = 0.95
COPY_RECALL_FLOOR = 0.5
