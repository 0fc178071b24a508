"""Quality floor of copy detection on a pinned subset of wmt21-dev, all
languages (slow: embeds a few hundred articles with the shipped USE model).

The subset: the first ``FAMILIES_PER_PAIR`` families (sorted by id) of each of
the six language pairs, every text of them (originals, human and machine
translations).  Floors sit just under what the shipped defaults reach
(measured with this test's own fold: ARI 0.929, pairwise precision
1.000, recall 0.872); raise them when quality improves, never
lower them silently.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict

import pytest

from storyfold import Engine
from storyfold.digest import CentralSentences
from storyfold.evaluate import ari, copy_family, pairwise
from storyfold.records import RawArticle
from storyfold.store import Store

from .conftest import DATA

pytestmark = pytest.mark.slow

WMT21_SHA = "71ec1ee868ac9a67"
FAMILIES_PER_PAIR = 4
# measured 0.929 and 1.000 (324 texts; ja<->en pairs are the weakest: ARI 0.86)
ARI_FLOOR = 0.92
PRECISION_FLOOR = 0.99


def pinned_subset() -> list[dict[str, str]]:
    path = DATA / "copies" / "wmt21-dev.jsonl"
    actual = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    assert actual == WMT21_SHA, f"{path} changed ({actual}); re-measure and re-pin the floors"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    by_pair: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        by_pair[row["family"].split(":")[0]].add(row["family"])
    keep = {f for fams in by_pair.values() for f in sorted(fams)[:FAMILIES_PER_PAIR]}
    return [r for r in rows if r["family"] in keep]


def fold_copies(rows: list[dict[str, str]]) -> tuple[list[str], list[str]]:
    """Gold and predicted copy families, with the shipped copy stage (the
    sentence digest instead of spaCy's, which copies do not depend on)."""
    engine = Engine(Store.open(":memory:"))
    engine = Engine(
        engine.store,
        representer=engine.representer,
        digester=CentralSentences(engine.representer.terms),
    )
    engine.ingest(
        RawArticle(id=r["id"], origin="wmt21", text=r["text"], lang=r["lang"]) for r in rows
    )
    return [r["family"] for r in rows], [copy_family(engine, r["id"]) for r in rows]


def test_copy_families_floor_on_pinned_wmt21_subset() -> None:
    rows = pinned_subset()
    assert len({r["family"] for r in rows}) == 6 * FAMILIES_PER_PAIR
    gold, pred = fold_copies(rows)
    precision, _, _ = pairwise(gold, pred)
    assert precision >= PRECISION_FLOOR
    assert ari(gold, pred) >= ARI_FLOOR
