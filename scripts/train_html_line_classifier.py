"""Train the HTML line classifier and report its cross-validated F1.

Reads the HTML dev pages (``shared/data/pages/{scrapinghub,wcxb-dev-articles}``),
runs trafilatura on each as the HTML cleaner does (default and ``favor_recall``)
and takes the candidate lines the cleaner's learned pass judges, with their
features (:func:`storyfold.clean.html.line_candidates`).  Each line is labelled
from the gold body as the plain-text training labels its lines
(``label_lines`` in ``scripts/train_line_classifier.py``), and
scikit-learn's HistGradientBoostingClassifier is fitted on them, each line
weighted by its words over its page's (the score is word 4-grams averaged per
page, so a long boilerplate paragraph matters more than a short label, and a
page of many lines no more than one of few).

Cross-validation: 5 folds grouped by site, the same folds as the plain-text
classifier's, so no page, and no other page of its site, is judged by a model
that saw it.  Each held-out page's body is its candidate lines under the
threshold, scored with the shingle scorer against trafilatura's body on the
same pages; F1 is given per data set, pooled and per fold.  (The cleaner's
fallbacks for bodies under ``html_min_body_words`` are not applied here;
``bench/clean.py --skip-text`` scores the whole cleaner with these fold models.)

The extraction and features of every page are cached in
``bench/.cache/html-line-cv`` while the data and the code they come from are
unchanged; the fold models and the page-to-fold map go there too.  Then the
model is fitted on all pages and written to
``src/storyfold/data/html_line_classifier.npz`` (``--write``).

Usage (from the repository root, with the bench extra)::

    .venv/bin/python scripts/train_html_line_classifier.py [--write] [--thresholds 0.4,0.5]

Training needs scikit-learn; the package's inference needs numpy only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt
from train_line_classifier import FOLDS, PARAMS, SEED, label_lines

from storyfold.clean.evaluation import LabelledPage, read_pages
from storyfold.clean.html import HTML_MODEL_FILE, line_candidates
from storyfold.clean.html_features import HTML_FEATURES
from storyfold.clean.model import TreeEnsemble
from storyfold.clean.scoring import match, scores

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT.parent / "shared" / "data" / "pages"
SETS = {"scrapinghub": "scrapinghub", "wcxb": "wcxb-dev-articles"}
OUT = ROOT / "src" / "storyfold" / "data" / HTML_MODEL_FILE
CV_CACHE = ROOT / "bench" / ".cache" / "html-line-cv"
"""Where the page cache, the fold models and the page-to-fold map go (bench/clean.py
reads the last two for its cross-validated HTML figures)."""
SOURCES = ("html.py", "html_features.py", "features.py", "rules.py", "text.py", "meta.py")


@dataclass
class Page:
    dataset: str
    id: str
    site: str
    gold: str
    lines: list[str]
    in_kept: npt.NDArray[np.bool_]
    x: npt.NDArray[np.float32]
    y: npt.NDArray[np.int8]  # 1: boilerplate
    w: npt.NDArray[np.float64]  # training weight


def _page(job: tuple[str, LabelledPage]) -> Page:
    dataset, labelled = job
    site = urlsplit(labelled.url or "").netloc.removeprefix("www.") or labelled.id
    found = line_candidates(labelled.html or "", labelled.url)
    if found is None or not found.lines:
        empty = np.zeros(0)
        x = np.zeros((0, len(HTML_FEATURES)), dtype=np.float32)
        no = np.zeros(0, dtype=bool)
        return Page(
            dataset, labelled.id, site, labelled.gold_body, [], no, x, empty.astype(np.int8), empty
        )
    words = np.array([max(1, line.words - 3) for line in found.lines], dtype=np.float64)
    return Page(
        dataset,
        labelled.id,
        site,
        labelled.gold_body,
        [line.text for line in found.lines],
        np.array(found.in_kept, dtype=bool),
        found.x,
        np.array(label_lines(found.lines, labelled.gold_body), dtype=np.int8),
        words / words.sum() * len(words),
    )


def load_pages(jobs: int) -> list[Page]:
    """The pages' candidate lines, features and labels, cached while the data,
    trafilatura and the code they come from are unchanged."""
    import trafilatura

    import storyfold.clean

    key = hashlib.sha256(trafilatura.__version__.encode())
    package = Path(str(storyfold.clean.__file__)).parent
    for name in SOURCES:
        key.update((package / name).read_bytes())
    key.update(Path(__file__).read_bytes())
    for stem in SETS.values():
        key.update(str((PAGES / stem / "gold.json").stat().st_mtime_ns).encode())
    cached = CV_CACHE / f"pages-{key.hexdigest()[:16]}.pickle"
    if cached.is_file():
        pages: list[Page] = pickle.loads(cached.read_bytes())
        return pages
    work = [(name, p) for name, stem in SETS.items() for p in read_pages(PAGES / stem)]
    with Pool(jobs) as pool:
        pages = pool.map(_page, work, chunksize=8)
    CV_CACHE.mkdir(parents=True, exist_ok=True)
    for old in CV_CACHE.glob("pages-*.pickle"):
        old.unlink()
    cached.write_bytes(pickle.dumps(pages))
    return pages


def folds(pages: list[Page]) -> list[int]:
    """5 folds grouped by site (the plain-text script's splitter and seed: same folds)."""
    from sklearn.model_selection import GroupKFold

    fold = [0] * len(pages)
    splitter = GroupKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for k, (_, test) in enumerate(splitter.split(pages, groups=[p.site for p in pages])):
        for i in test:
            fold[i] = k
    return fold


def fit(pages: list[Page], meta: dict[str, object]) -> TreeEnsemble:
    from sklearn.ensemble import HistGradientBoostingClassifier

    pages = [p for p in pages if p.lines]
    x = np.concatenate([p.x for p in pages])
    y = np.concatenate([p.y for p in pages])
    w = np.concatenate([p.w for p in pages])
    clf = HistGradientBoostingClassifier(random_state=SEED, **PARAMS)  # type: ignore[arg-type]
    clf.fit(x, y, sample_weight=w / w.mean())
    return TreeEnsemble.from_sklearn(clf, HTML_FEATURES, meta)


def _summary(per_fold: dict[int, list[tuple[int, int, int]]]) -> dict[str, object]:
    f1s = [scores(c).f1 for _, c in sorted(per_fold.items())]
    pooled = scores([c for cs in per_fold.values() for c in cs])
    return {
        "f1": round(pooled.f1, 4),
        "precision": round(pooled.precision, 4),
        "recall": round(pooled.recall, 4),
        "fold_f1": [round(f, 4) for f in f1s],
        "fold_mean": round(statistics.mean(f1s), 4),
        "fold_std": round(statistics.pstdev(f1s), 4),
        "pages": pooled.pages,
    }


def evaluate(
    pages: list[Page], fold: list[int], models: list[TreeEnsemble], thresholds: list[float]
) -> dict[str, dict[str, dict[str, object]]]:
    """CV scores per threshold and data set, with trafilatura's body on the same pages."""
    probability = [
        models[k].probability(p.x) if p.lines else np.zeros(0)
        for p, k in zip(pages, fold, strict=True)
    ]
    results: dict[str, dict[str, dict[str, object]]] = {}
    runs: list[tuple[str, float | None]] = [("trafilatura", None)]
    runs += [(str(t), t) for t in thresholds]
    for name, threshold in runs:
        counts: dict[str, dict[int, list[tuple[int, int, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for page, k, prob in zip(pages, fold, probability, strict=True):
            keep = page.in_kept if threshold is None else prob < threshold
            body = "\n\n".join(t for t, kept in zip(page.lines, keep.tolist(), strict=True) if kept)
            counts[page.dataset][k].append(match(page.gold, body))
        results[name] = {dataset: _summary(per_fold) for dataset, per_fold in counts.items()}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUT.name} after CV")
    parser.add_argument("--thresholds", default="0.4,0.5,0.6")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the extraction")
    args = parser.parse_args()
    started = time.time()
    pages = load_pages(args.jobs)
    print(
        f"{len(pages)} pages, {sum(len(p.lines) for p in pages)} candidate lines, "
        f"{sum(int(p.in_kept.sum()) for p in pages)} of them trafilatura's "
        f"({time.time() - started:.0f} s to read)",
        flush=True,
    )
    fold = folds(pages)
    models = []
    for k in range(FOLDS):
        models.append(fit([p for p, f in zip(pages, fold, strict=True) if f != k], {}))
        print(f"fold {k} fitted ({time.time() - started:.0f} s)", flush=True)
    CV_CACHE.mkdir(parents=True, exist_ok=True)
    for k, model in enumerate(models):
        model.save(CV_CACHE / f"fold{k}.npz")
    (CV_CACHE / "folds.json").write_text(
        json.dumps({f"{p.dataset}/{p.id}": f for p, f in zip(pages, fold, strict=True)})
    )
    thresholds = [float(t) for t in args.thresholds.split(",")]
    results = evaluate(pages, fold, models, thresholds)
    for name, result in results.items():
        for dataset, r in result.items():
            print(
                f"{name:>11} {dataset:<11} P {r['precision']:.4f} R {r['recall']:.4f} "
                f"F1 {r['f1']:.4f}  per fold {r['fold_f1']} (mean {r['fold_mean']:.4f} "
                f"± {r['fold_std']:.4f})",
                flush=True,
            )
    if args.write:
        meta = {
            "trained_on": sorted(SETS.values()),
            "params": PARAMS,
            "weights": "words per line over the page's, times its line count",
            "cv": results,
            "folds": f"{FOLDS} folds grouped by site",
            "script": "scripts/train_html_line_classifier.py --write",
        }
        model = fit(pages, meta)
        model.save(OUT)
        print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")
    print(f"{time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
