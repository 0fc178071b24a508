"""Cross-validated choice of the copy thresholds on wmt21-dev, grouped by family.

The wmt21-dev texts are cleaned and represented once, with every sentence
embedded (cached in ``--cache``); the copy finder then runs over an in-memory
index of them for each candidate setting, so a grid costs no model call.  Folds
split the families (never the texts of one family) into ``--folds`` groups: a
setting is chosen on the other folds (mean of English ARI and all-language ARI,
subject to the ECB+ hard-negative limit checked by bench/eval_copies.py) and
scored on the held-out fold.

    .venv/bin/python bench/copies_tune.py [--folds 5] [--write]
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from storyfold import Engine
from storyfold.config import Settings
from storyfold.copies import LayeredCopyFinder
from storyfold.copies.leads import LeadIndex
from storyfold.records import Article, RawArticle
from storyfold.represent.base import Representation, Vectors
from storyfold.represent.embedders import UseEmbedder

from common import DATA, ari, mean_std, pairwise, read_jsonl, write_section

CACHE = Path.home() / ".cache" / "storyfold-bench" / "wmt21-dev-reps.pkl"


@dataclass
class Represented:
    rows: list[dict[str, Any]]
    articles: list[Article]
    reps: list[Representation]
    sentence_vectors: list[Vectors]


def represent_all(rows: list[dict[str, Any]], cache: Path) -> Represented:
    if cache.exists():
        data = pickle.loads(cache.read_bytes())
        if [r["id"] for r in data["rows"]] == [r["id"] for r in rows]:
            return Represented(data["rows"], data["arts"], data["reps"], data["svs"])
    engine = Engine.open(":memory:")
    arts = [
        engine.clean(
            RawArticle(id=str(r["id"]), origin="wmt21", text=str(r["text"]), lang=str(r["lang"]))
        )
        for r in rows
    ]
    reps = [
        rep
        for i in range(0, len(arts), 256)
        for rep in engine.representer.represent(arts[i : i + 256])
    ]
    flat = engine.representer.embedder.encode([s for r in reps for s in r.sentences])
    svs, at = [], 0
    for rep in reps:
        svs.append(flat[at : at + len(rep.sentences)])
        at += len(rep.sentences)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps({"rows": rows, "arts": arts, "reps": reps, "svs": svs}))
    return Represented(rows, arts, reps, svs)


class MemoryIndex:
    """The copy index over precomputed representations, in memory."""

    def __init__(self, data: Represented, finder: LayeredCopyFinder) -> None:
        self.finder = finder
        self.by_id = {a.id: n for n, a in enumerate(data.articles)}
        self.data = data
        self.hashes: dict[str, list[str]] = {}
        self.bands: dict[str, list[str]] = {}
        self.leads = LeadIndex(len(data.reps[0].lead))

    def add(self, n: int) -> None:
        a, rep = self.data.articles[n], self.data.reps[n]
        self.hashes.setdefault(a.content_hash, []).append(a.id)
        for key in self.finder.band_keys(rep):
            self.bands.setdefault(key, []).append(a.id)
        self.leads.add(a.id, rep.lead, 0)

    def ids_with_hash(self, content_hash: str) -> list[str]:
        return self.hashes.get(content_hash, [])

    def ids_with_band_keys(self, keys: Iterable[str]) -> list[str]:
        return sorted({i for k in keys for i in self.bands.get(k, ())})

    def nearest(
        self, vector: Vectors, k: int, min_cosine: float, day: int | None = None, window: int = 0
    ) -> list[tuple[str, float]]:
        return self.leads.nearest(vector, k, min_cosine, 0, 0)

    def article_day(self, article_id: str) -> int:
        return 0

    def representation(self, article_id: str) -> Representation | None:
        return self.data.reps[self.by_id[article_id]]

    def sentence_vectors(self, article_id: str) -> Vectors | None:
        return self.data.sentence_vectors[self.by_id[article_id]]

    def put_sentence_vectors(self, article_id: str, vectors: Vectors) -> None:
        pass

    def article(self, article_id: str) -> Article | None:
        return self.data.articles[self.by_id[article_id]]


def families(data: Represented, subset: Sequence[int], settings: Settings) -> list[str]:
    """Each text's copy family (a connected component of the links found),
    ingesting ``subset`` in order."""
    finder = LayeredCopyFinder(
        settings, lambda rep: np.zeros((0, 512), np.float32), languages=UseEmbedder.languages
    )
    index = MemoryIndex(data, finder)
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for n in subset:
        index.add(n)
        link = finder.find(data.articles[n], data.reps[n], index)
        if link is not None:
            parent[root(link.copy)] = root(link.original)
    return [root(data.articles[n].id) for n in subset]


def scores(data: Represented, subset: Sequence[int], settings: Settings) -> dict[str, float]:
    out: dict[str, float] = {}
    english = [n for n in subset if data.rows[n]["lang"] == "en"]
    for name, part in (("en", english), ("all", list(subset))):
        if name == "all" and part == english:
            out.update({k.replace("en_", "all_"): v for k, v in out.items()})
            break
        gold = [str(data.rows[n]["family"]) for n in part]
        pred = families(data, part, settings)
        p, r, _ = pairwise(gold, pred)
        out[f"{name}_ari"], out[f"{name}_p"], out[f"{name}_r"] = ari(gold, pred), p, r
    return out


GRID: dict[str, tuple[float, ...]] = {
    "rewrite_candidate_cosine": (0.4, 0.5, 0.6, 0.7, 0.8),
    "aligned_share": (0.5, 0.6, 0.7),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--langs", default="all", help="comma-separated, or 'all'")
    parser.add_argument(
        "--words-only",
        action="store_true",
        help="no sentence embeddings: align by words (and anchors) only",
    )
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    every = list(read_jsonl(DATA / "copies" / "wmt21-dev.jsonl"))
    data = represent_all(every, args.cache)
    if args.words_only:
        data.sentence_vectors = [np.zeros((0, 512), np.float32) for _ in data.rows]
    rows = every
    if args.langs != "all":
        wanted = set(args.langs.split(","))
        rows = [r if r["lang"] in wanted else {**r, "lang": "-"} for r in every]
    fams = sorted({str(r["family"]) for r in rows})
    random.Random(1).shuffle(fams)
    fold_of = {f: i % args.folds for i, f in enumerate(fams)}
    grid = [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]
    base = Settings()
    held: list[dict[str, float]] = []
    chosen: list[dict[str, float]] = []
    cache: dict[tuple[int, int], dict[str, float]] = {}
    for fold in range(args.folds):
        test = [
            n for n, r in enumerate(rows) if fold_of[str(r["family"])] == fold and r["lang"] != "-"
        ]
        for g, values in enumerate(grid):
            s = replace(base, **values)  # type: ignore[arg-type]
            cache[(fold, g)] = scores(data, test, s)
    for fold in range(args.folds):

        def train_score(g: int, fold: int = fold) -> float:
            parts = [cache[(f, g)] for f in range(args.folds) if f != fold]
            return float(np.mean([(p["en_ari"] + p["all_ari"]) / 2 for p in parts]))

        best = max(range(len(grid)), key=train_score)
        chosen.append(grid[best])
        held.append(cache[(fold, best)])
    default = [
        cache[(f, grid.index({k: getattr(base, k) for k in GRID}))] for f in range(args.folds)
    ]
    lines = [
        f"## Copies: thresholds by {args.folds}-fold cross-validation over wmt21-dev families"
        + (f", languages {args.langs}" if args.langs != "all" else "")
        + (", alignment by words only" if args.words_only else ""),
        "",
        "Grid: "
        + ", ".join(f"`{k}` in {v}" for k, v in GRID.items())
        + ". Each fold's setting is chosen on the other folds (mean of English and all-language ARI) "
        "and scored on the fold's families.",
        "",
        "| fold | chosen | English ARI | all-language ARI | shipped defaults: English / all ARI |",
        "|---|---|---|---|---|",
    ]
    for fold in range(args.folds):
        lines.append(
            f"| {fold} | {chosen[fold]} | {held[fold]['en_ari']:.3f} | {held[fold]['all_ari']:.3f} "
            f"| {default[fold]['en_ari']:.3f} / {default[fold]['all_ari']:.3f} |"
        )
    for name, rowset in (("cross-validated", held), ("shipped defaults", default)):
        en = mean_std([x["en_ari"] for x in rowset])
        al = mean_std([x["all_ari"] for x in rowset])
        lines.append(
            f"\n{name}: English ARI {en[0]:.3f} ± {en[1]:.3f}, all languages {al[0]:.3f} ± {al[1]:.3f} (mean ± sd over folds)"
        )
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section("copies-cv", report)


if __name__ == "__main__":
    main()
