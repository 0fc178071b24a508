"""Scoring storyfold against labelled data: clustering scores and the
`storyfold eval` runs on labelled JSON Lines files.

Labelled files hold one JSON object per line with ``id`` and ``text`` (or
``html``), plus the gold label the run reads: ``story`` for stories,
``family`` for copies.  The label is only read by the scorer, never by the
pipeline.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from storyfold.config import Settings
from storyfold.engine import Engine, Progress
from storyfold.errors import InputError
from storyfold.records import RawArticle


def bcubed(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1, averaged over items."""
    by_gold: dict[str, set[int]] = defaultdict(set)
    by_pred: dict[str, set[int]] = defaultdict(set)
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        by_gold[g].add(i)
        by_pred[p].add(i)
    precision = recall = 0.0
    for g, p in zip(gold, pred, strict=True):
        both = len(by_gold[g] & by_pred[p])
        precision += both / len(by_pred[p])
        recall += both / len(by_gold[g])
    n = len(gold)
    precision, recall = precision / n, recall / n
    return precision, recall, 2 * precision * recall / (precision + recall)


def pairwise(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the same-cluster relation over all pairs."""

    def pairs(labels: Sequence[str]) -> int:
        return sum(c * (c - 1) // 2 for c in Counter(labels).values())

    true_pairs, pred_pairs = pairs(gold), pairs(pred)
    both = pairs([f"{g}\x00{p}" for g, p in zip(gold, pred, strict=True)])
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def ari(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Adjusted Rand index."""

    def comb(n: int) -> float:
        return n * (n - 1) / 2

    n = len(gold)
    joint = Counter(zip(gold, pred, strict=True))
    index = sum(comb(c) for c in joint.values())
    a = sum(comb(c) for c in Counter(gold).values())
    b = sum(comb(c) for c in Counter(pred).values())
    expected = a * b / comb(n) if n > 1 else 0.0
    maximum = (a + b) / 2
    return (index - expected) / (maximum - expected) if maximum != expected else 1.0


@dataclass(frozen=True, slots=True)
class Scores:
    items: int
    gold_clusters: int
    predicted_clusters: int
    bcubed: tuple[float, float, float]
    pairwise: tuple[float, float, float]
    ari: float

    def as_dict(self) -> dict[str, object]:
        return {
            "items": self.items,
            "gold_clusters": self.gold_clusters,
            "predicted_clusters": self.predicted_clusters,
            "bcubed_precision": round(self.bcubed[0], 4),
            "bcubed_recall": round(self.bcubed[1], 4),
            "bcubed_f1": round(self.bcubed[2], 4),
            "pairwise_precision": round(self.pairwise[0], 4),
            "pairwise_recall": round(self.pairwise[1], 4),
            "pairwise_f1": round(self.pairwise[2], 4),
            "ari": round(self.ari, 4),
        }


def score(gold: Sequence[str], pred: Sequence[str]) -> Scores:
    return Scores(
        len(gold),
        len(set(gold)),
        len(set(pred)),
        bcubed(gold, pred),
        pairwise(gold, pred),
        ari(gold, pred),
    )


def copy_family(engine: Engine, article_id: str) -> str:
    """The original an article (transitively) is a copy of, or itself."""
    while (link := engine.store.copy_link(article_id)) is not None:
        article_id = link.original
    return article_id


def _labelled(path: Path, label: str) -> tuple[list[RawArticle], list[str]]:
    raws, gold = [], []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}", f"invalid JSON ({exc.msg})") from exc
            if label not in row or "id" not in row:
                raise InputError(f"{path}:{number}", f"needs 'id' and a gold '{label}' field")
            raws.append(
                RawArticle(
                    id=str(row["id"]),
                    origin=f"{path}:{number}",
                    text=row.get("text"),
                    html=row.get("html"),
                    url=row.get("url"),
                    title=row.get("title"),
                    published=row.get("published"),
                    source=row.get("source"),
                    lang=row.get("lang"),
                )
            )
            gold.append(str(row[label]))
    return raws, gold


def evaluate(
    path: Path,
    what: str,
    settings: Settings | None = None,
    progress: Progress | None = None,
    regroup: bool = False,
) -> Scores:
    """Fold a labelled file into a fresh in-memory store and score it.

    ``what`` is ``stories`` (gold field ``story``) or ``copies`` (gold field
    ``family``; the predicted cluster of an article is its copy family).
    ``regroup``: the stories are scored after ``Engine.regroup``.
    """
    label = {"stories": "story", "copies": "family"}[what]
    raws, gold = _labelled(path, label)
    with Engine.open(":memory:", settings=settings) as engine:
        engine.ingest(raws, progress)
        if regroup and what == "stories":
            engine.regroup()
        predict: Callable[[str], str] = (
            (lambda i: engine.store.story_of(i) or i)
            if what == "stories"
            else (lambda i: copy_family(engine, i))
        )
        return score(gold, [predict(r.id) for r in raws])
