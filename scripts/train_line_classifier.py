"""Train the plain-text line classifier and report its cross-validated F1.

Reads the plain-text renderings of the dev pages (``shared/data/pages/*.text.jsonl``),
labels each line of each page from the gold body (a line is body when most of
its word 4-grams are gold 4-grams not yet claimed by an earlier line; a line
under four words when the 4-grams across its edges are gold, or it is a gold
paragraph itself), and fits scikit-learn's HistGradientBoostingClassifier on
the features of :mod:`storyfold.clean.features`.

Cross-validation: 5 folds grouped by site (host of the page URL), so no page,
and no other page of its site, is scored by a model that saw it.  Each
held-out page is cleaned by the real :class:`LearnedTextCleaner` with its
fold's exported numpy model (fixed-point passes, sure rules, joins) and scored
with the shingle scorer; F1 is given per data set as the mean over folds with
its standard deviation, and pooled.

Then the model is fitted on all pages and written to
``src/storyfold/data/line_classifier.npz`` (``--write``).

Usage (from the repository root, with the bench extra and scikit-learn)::

    .venv/bin/python scripts/train_line_classifier.py [--write] [--thresholds 0.4,0.5,0.6]

Training needs scikit-learn; the package's inference needs numpy only.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from storyfold.clean.features import FEATURES, line_features
from storyfold.clean.learned import MODEL_FILE, LearnedTextCleaner
from storyfold.clean.model import TreeEnsemble
from storyfold.clean.rules import Line
from storyfold.clean.scoring import match, scores
from storyfold.clean.text import rule_verdicts
from storyfold.config import Settings

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT.parent / "shared" / "data" / "pages"
FILES = {"scrapinghub": "scrapinghub.text.jsonl", "wcxb": "wcxb-dev-articles.text.jsonl"}
OUT = ROOT / "src" / "storyfold" / "data" / MODEL_FILE
CV_CACHE = ROOT / "bench" / ".cache" / "line-cv"
"""Where the fold models and the page-to-fold map go, for bench/clean.py's
cross-validated figures (the HTML fallback and the plain-text tables)."""
_TOKEN = re.compile(r"\w+")
FOLDS = 5
SEED = 13
# Shallow and few trees: inference walks every tree one level per step, so
# trees x depth is the cost per line (200 trees of depth 12 cost 5x more time
# for under 0.01 of F1 on the first runs).
PARAMS: dict[str, object] = {
    "max_iter": 100,
    "learning_rate": 0.12,
    "max_depth": 7,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
}


@dataclass
class Page:
    dataset: str
    id: str
    site: str
    text: str
    gold: str
    lines: list[Line]
    x: npt.NDArray[np.float32]
    y: npt.NDArray[np.int8]  # 1: boilerplate


def label_lines(lines: list[Line], gold: str) -> list[int]:
    """1 for a boilerplate line, 0 for a body line (see the module docstring)."""
    gold_tokens = _TOKEN.findall(gold)
    remaining = Counter(tuple(gold_tokens[i : i + 4]) for i in range(max(0, len(gold_tokens) - 3)))
    every = set(remaining)
    paragraphs = {" ".join(_TOKEN.findall(p)) for p in gold.split("\n") if p.strip()}
    tokens = [_TOKEN.findall(line.text) for line in lines]
    labels: list[int] = []
    for i, toks in enumerate(tokens):
        if len(toks) >= 4:
            grams = [tuple(toks[k : k + 4]) for k in range(len(toks) - 3)]
            hits = 0
            for gram in grams:
                if remaining[gram] > 0:
                    hits += 1
            body = hits >= 0.5 * len(grams)
            if body:
                for gram in grams:
                    if remaining[gram] > 0:
                        remaining[gram] -= 1
            labels.append(0 if body else 1)
            continue
        if not toks:
            labels.append(1)
            continue
        if " ".join(toks) in paragraphs:
            labels.append(0)
            continue
        before = [t for prev in tokens[max(0, i - 3) : i] for t in prev][-3:]
        after = [t for nxt in tokens[i + 1 : i + 4] for t in nxt][:3]
        left = tuple((before + toks)[-4:])
        right = tuple((toks + after)[:4])
        edge = (len(left) == 4 and left in every) and (len(right) == 4 and right in every)
        labels.append(0 if edge else 1)
    return labels


def load_pages() -> list[Page]:
    """The labelled pages, read once and kept in the CV cache while the data,
    the features and the rules are unchanged (pickle keyed by their sources)."""
    import hashlib
    import pickle

    import storyfold.clean.features
    import storyfold.clean.rules
    import storyfold.clean.text

    key = hashlib.sha256()
    for module in (storyfold.clean.features, storyfold.clean.rules, storyfold.clean.text):
        key.update(Path(str(module.__file__)).read_bytes())
    key.update(Path(__file__).read_bytes())
    for name in FILES.values():
        key.update(str((PAGES / name).stat().st_mtime_ns).encode())
    cached = CV_CACHE / f"pages-{key.hexdigest()[:16]}.pickle"
    if cached.is_file():
        pages: list[Page] = pickle.loads(cached.read_bytes())
        return pages
    pages = _read_pages()
    CV_CACHE.mkdir(parents=True, exist_ok=True)
    for old in CV_CACHE.glob("pages-*.pickle"):
        old.unlink()
    cached.write_bytes(pickle.dumps(pages))
    return pages


def _read_pages() -> list[Page]:
    pages: list[Page] = []
    for dataset, name in FILES.items():
        for raw in (PAGES / name).open(encoding="utf-8"):
            row = json.loads(raw)
            verdicts = rule_verdicts(row["page_text"])
            labels = label_lines(verdicts.lines, row["gold_body"])
            site = urlsplit(row.get("url") or "").netloc or row["id"]
            pages.append(
                Page(
                    dataset,
                    row["id"],
                    site.removeprefix("www."),
                    row["page_text"],
                    row["gold_body"],
                    verdicts.lines,
                    line_features(verdicts.lines, verdicts.title),
                    np.array(labels, dtype=np.int8),
                )
            )
    return pages


def clean_pages(pages: list[Page]) -> list[Page]:
    """The oracle body of each page, read again as a page whose every line is body.

    Cleaning runs to a fixed point, so the model also reads already clean text:
    these pages teach it that an article without furniture keeps its lines.
    """
    out: list[Page] = []
    for page in pages:
        body = "\n\n".join(
            line.text for line, y in zip(page.lines, page.y.tolist(), strict=True) if y == 0
        )
        verdicts = rule_verdicts(body)
        if not verdicts.lines:
            continue
        labels = label_lines(verdicts.lines, page.gold)
        out.append(
            replace(
                page,
                lines=verdicts.lines,
                x=line_features(verdicts.lines, verdicts.title),
                y=np.array(labels, dtype=np.int8),
            )
        )
    return out


def fit(pages: list[Page], meta: dict[str, object]) -> TreeEnsemble:
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = np.concatenate([p.x for p in pages])
    y = np.concatenate([p.y for p in pages])
    clf = HistGradientBoostingClassifier(random_state=SEED, **PARAMS)  # type: ignore[arg-type]
    clf.fit(x, y)
    return TreeEnsemble.from_sklearn(clf, FEATURES, meta)


def folds(pages: list[Page]) -> list[int]:
    from sklearn.model_selection import GroupKFold

    fold = [0] * len(pages)
    splitter = GroupKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for k, (_, test) in enumerate(splitter.split(pages, groups=[p.site for p in pages])):
        for i in test:
            fold[i] = k
    return fold


def reason_purity(pages: list[Page]) -> None:
    """Each rule reason's lines and the share of them that are gold body lines."""
    total: Counter[str] = Counter()
    body: Counter[str] = Counter()
    for page in pages:
        for line, y in zip(page.lines, page.y.tolist(), strict=True):
            reason = line.reason or "(kept)"
            total[reason] += 1
            body[reason] += y == 0
    print("rule reason: lines, share that is gold body")
    for reason, n in total.most_common():
        print(f"  {reason:<18} {n:>7} {body[reason] / n:.3f}")


def evaluate(
    pages: list[Page], fold: list[int], models: list[TreeEnsemble], settings: Settings
) -> dict[str, dict[str, object]]:
    by_fold: dict[str, dict[int, list[tuple[int, int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    cleaners = [LearnedTextCleaner(model, settings) for model in models]
    started = time.process_time()
    for page, k in zip(pages, fold, strict=True):
        body = cleaners[k].clean(page.text).body
        by_fold[page.dataset][k].append(match(page.gold, body))
    elapsed = time.process_time() - started
    out: dict[str, dict[str, object]] = {}
    for dataset, per_fold in by_fold.items():
        f1s = [scores(c).f1 for c in per_fold.values()]
        pooled = scores([c for cs in per_fold.values() for c in cs])
        out[dataset] = {
            "f1": round(pooled.f1, 4),
            "precision": round(pooled.precision, 4),
            "recall": round(pooled.recall, 4),
            "fold_mean": round(statistics.mean(f1s), 4),
            "fold_std": round(statistics.pstdev(f1s), 4),
            "pages": pooled.pages,
        }
    out["_speed"] = {"pages_per_cpu_s": round(len(pages) / elapsed, 1)}
    return out


def oracle(pages: list[Page]) -> None:
    for dataset in FILES:
        counts = []
        for page in pages:
            if page.dataset != dataset:
                continue
            body = "\n".join(
                line.text for line, y in zip(page.lines, page.y.tolist(), strict=True) if y == 0
            )
            counts.append(match(page.gold, body))
        s = scores(counts)
        print(
            f"oracle (gold line labels) {dataset}: "
            f"P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUT.name} after CV")
    parser.add_argument("--thresholds", default="0.5")
    parser.add_argument("--sure", default="", help="comma-separated sure rule reasons")
    parser.add_argument("--no-augment", action="store_true")
    args = parser.parse_args()
    started = time.time()
    pages = load_pages()
    print(
        f"{len(pages)} pages, {sum(len(p.lines) for p in pages)} lines "
        f"({time.time() - started:.0f} s to read)"
    )
    oracle(pages)
    reason_purity(pages)
    print(flush=True)
    fold = folds(pages)
    extra = [] if args.no_augment else clean_pages(pages)
    extra_fold = fold  # clean_pages keeps order except empty pages
    extra_ids = {(p.dataset, p.id) for p in extra}
    fold_of = {(p.dataset, p.id): k for p, k in zip(pages, extra_fold, strict=True)}
    models = []
    for k in range(FOLDS):
        train = [p for p, f in zip(pages, fold, strict=True) if f != k]
        train += [p for p in extra if fold_of[(p.dataset, p.id)] != k]
        models.append(fit(train, {}))
        print(f"fold {k} fitted ({time.time() - started:.0f} s)", flush=True)
    del extra_ids
    CV_CACHE.mkdir(parents=True, exist_ok=True)
    for k, model in enumerate(models):
        model.save(CV_CACHE / f"fold{k}.npz")
    (CV_CACHE / "folds.json").write_text(
        json.dumps({f"{p.dataset}/{p.id}": f for p, f in zip(pages, fold, strict=True)})
    )
    sure = tuple(s for s in args.sure.split(",") if s)
    results: dict[str, object] = {}
    for threshold in (float(t) for t in args.thresholds.split(",")):
        settings = Settings(line_boilerplate_threshold=threshold, line_sure_reasons=sure)
        result = evaluate(pages, fold, models, settings)
        results[str(threshold)] = result
        print(f"threshold {threshold}: {json.dumps(result)}", flush=True)
    if args.write:
        meta = {
            "trained_on": sorted(FILES.values()),
            "params": PARAMS,
            "cv": results,
            "folds": f"{FOLDS} folds grouped by site",
            "script": "scripts/train_line_classifier.py --write",
        }
        model = fit(pages + extra, meta)
        model.save(OUT)
        print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")
    print(f"{time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
