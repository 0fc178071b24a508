"""Cleaning benchmark: plain text and HTML, storyfold against trafilatura in the same run.

Data: ``shared/data/pages`` (scrapinghub, 181 pages; WCXB dev articles, 790).
Scorer: :mod:`storyfold.clean.scoring` (word 4-gram shingles, P/R per page
averaged, F1 of the averages); metadata as ``storyfold eval clean`` scores it
(title and byline similarity ratio >= 0.9, date on the same day).

The learned line classifiers are scored by cross-validation: every page is
cleaned by the models of its fold (5 folds grouped by site, the same folds for
both), which never saw it.  The plain-text fold models come from
``scripts/train_line_classifier.py`` (it leaves them in ``bench/.cache/line-cv``;
the HTML cleaner's plain-text fallback uses them too), the HTML ones from
``scripts/train_html_line_classifier.py`` (``bench/.cache/html-line-cv``).  Speed is CPU time of this process for the shipped cleaners (pages
per second and 5-KB-of-text equivalents per second, one core); peak memory is
the process's peak RSS after each part (cumulative).

Usage::

    .venv/bin/python bench/clean.py [--write] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from storyfold.clean.evaluation import CleanReport, LabelledPage, read_pages, score_pages
from storyfold.clean.html import HTML_FEATURES, TrafilaturaCleaner, load_html_line_model
from storyfold.clean.learned import LearnedTextCleaner
from storyfold.clean.model import TreeEnsemble
from storyfold.clean.scoring import match, scores
from storyfold.clean.text import RuleTextCleaner
from storyfold.records import Cleaned

from common import DATA, write_section

PAGES = DATA / "pages"
CV = Path(__file__).resolve().parent / ".cache" / "line-cv"
HTML_CV = Path(__file__).resolve().parent / ".cache" / "html-line-cv"
SETS = {"scrapinghub": "scrapinghub", "wcxb": "wcxb-dev-articles"}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fold_cleaners() -> tuple[dict[str, int], list[LearnedTextCleaner]]:
    if not (CV / "folds.json").is_file():
        raise SystemExit(f"no fold models in {CV}: run scripts/train_line_classifier.py first")
    folds: dict[str, int] = json.loads((CV / "folds.json").read_text())
    models = sorted(CV.glob("fold*.npz"))
    return folds, [LearnedTextCleaner(TreeEnsemble.load(m)) for m in models]


def html_fold_models() -> tuple[dict[str, int], list[TreeEnsemble]]:
    if not (HTML_CV / "folds.json").is_file():
        raise SystemExit(
            f"no fold models in {HTML_CV}: run scripts/train_html_line_classifier.py first"
        )
    folds: dict[str, int] = json.loads((HTML_CV / "folds.json").read_text())
    models = sorted(HTML_CV.glob("fold*.npz"))
    return folds, [TreeEnsemble.load(m, HTML_FEATURES) for m in models]


def timed(
    pages: list[LabelledPage], clean: Callable[[LabelledPage], str]
) -> tuple[list[str], float]:
    started = time.process_time()
    out = [clean(p) for p in pages]
    return out, time.process_time() - started


def f1_row(pages: list[LabelledPage], bodies: list[str]) -> str:
    s = scores(match(p.gold_body, b) for p, b in zip(pages, bodies, strict=True))
    return f"{s.precision:.3f} | {s.recall:.3f} | **{s.f1:.3f}**"


def fold_spread(pages: list[LabelledPage], bodies: list[str], fold_of: list[int]) -> str:
    per: dict[int, list[tuple[int, int, int]]] = {}
    for p, b, k in zip(pages, bodies, fold_of, strict=True):
        per.setdefault(k, []).append(match(p.gold_body, b))
    f1s = [scores(v).f1 for v in per.values()]
    return f"{statistics.mean(f1s):.3f} ± {statistics.pstdev(f1s):.3f}"


def plain_text(limit: int | None) -> str:
    folds, cv = fold_cleaners()
    rules, shipped = RuleTextCleaner(), LearnedTextCleaner()
    out = [
        "### Plain text (`page_text` → body)",
        "",
        "| set | cleaner | precision | recall | F1 | F1 per fold (mean ± sd) | pages/s | 5-KB eq./s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, stem in SETS.items():
        pages = read_pages(PAGES / f"{stem}.text.jsonl")[:: limit or 1]
        kb = sum(len(p.text or "") for p in pages) / 1000
        fold_of = [folds[f"{name}/{p.id}"] for p in pages]
        none = [p.text or "" for p in pages]
        out.append(f"| {name} | no cleaning | {f1_row(pages, none)} | | | |")
        bodies, t = timed(pages, lambda p: rules.clean(p.text or "").body)
        out.append(
            f"| {name} | rules (RuleTextCleaner) | {f1_row(pages, bodies)} | | "
            f"{len(pages) / t:.0f} | {kb / 5 / t:.0f} |"
        )
        bodies = [cv[k].clean(p.text or "").body for p, k in zip(pages, fold_of, strict=True)]
        _, t = timed(pages, lambda p: shipped.clean(p.text or "").body)
        out.append(
            f"| {name} | learned (LearnedTextCleaner), 5-fold CV by site | {f1_row(pages, bodies)} "
            f"| {fold_spread(pages, bodies, fold_of)} | {len(pages) / t:.0f} | {kb / 5 / t:.0f} |"
        )
    out.append("")
    out.append(f"Peak RSS after the plain-text part: {peak_mb():.0f} MB.")
    return "\n".join(out)


def trafilatura_alone(page: LabelledPage) -> Cleaned:
    import trafilatura

    doc = trafilatura.bare_extraction(page.html or "", url=page.url, with_metadata=True)
    if doc is None:
        return Cleaned(body="")
    return Cleaned(body=doc.text or "", title=doc.title, byline=doc.author, published=doc.date)


def scored(
    pages: list[LabelledPage], clean: Callable[[LabelledPage], Cleaned]
) -> tuple[CleanReport, list[str]]:
    """The cleaner's report on the pages, and the bodies it gave."""
    bodies: list[str] = []

    def kept(page: LabelledPage) -> Cleaned:
        cleaned = clean(page)
        bodies.append(cleaned.body)
        return cleaned

    return score_pages(pages, kept), bodies


def html(limit: int | None) -> str:
    folds, cv = fold_cleaners()
    html_folds, html_models = html_fold_models()
    out = [
        "### HTML (page → body), same pages, same run",
        "",
        "| set | extractor | precision | recall | F1 | F1 per fold (mean ± sd) | title | byline | date | pages/s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, stem in SETS.items():
        pages = read_pages(PAGES / stem)[:: limit or 1]
        fold_of = [folds[f"{name}/{p.id}"] for p in pages]
        if any(html_folds[f"{name}/{p.id}"] != k for p, k in zip(pages, fold_of, strict=True)):
            raise SystemExit("the plain-text and HTML fold maps differ: re-run both trainings")
        rules = [TrafilaturaCleaner(c, learned=False) for c in cv]
        learned = [
            TrafilaturaCleaner(c, line_model=m) for c, m in zip(cv, html_models, strict=True)
        ]
        cleaners: list[tuple[str, Callable[[LabelledPage], Cleaned]]] = [
            ("trafilatura 2.3.1 alone", trafilatura_alone),
            (
                "storyfold, line rules (trafilatura + rule pass + fallbacks)",
                lambda p, r=rules, n=name: r[folds[f"{n}/{p.id}"]].clean(p.html or "", p.url),
            ),
            (
                "storyfold, learned (trafilatura + HTML line classifier + fallbacks), "
                "5-fold CV by site",
                lambda p, c=learned, n=name: c[folds[f"{n}/{p.id}"]].clean(p.html or "", p.url),
            ),
        ]
        for label, clean in cleaners:
            r, bodies = scored(pages, clean)
            meta = " | ".join("–" if v is None else f"{v:.3f}" for v in (r.title, r.author, r.date))
            out.append(
                f"| {name} | {label} | {r.body.precision:.3f} | {r.body.recall:.3f} | "
                f"**{r.body.f1:.3f}** | {fold_spread(pages, bodies, fold_of)} | {meta} | "
                f"{r.pages_per_second:.1f} |"
            )
            print(out[-1], flush=True)
    out.append("")
    out.append(f"Peak RSS after the HTML part: {peak_mb():.0f} MB.")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument(
        "--limit", type=int, default=None, help="every Nth page of each set (a quicker look)"
    )
    parser.add_argument("--skip-html", action="store_true")
    parser.add_argument("--skip-text", action="store_true")
    args = parser.parse_args()
    import os

    load = os.getloadavg()
    parts = []
    if not args.skip_text:
        parts.append(plain_text(args.limit))
        print(parts[-1], flush=True)
    if not args.skip_html:
        parts.append(html(args.limit))
        print(parts[-1], flush=True)
    model_meta = LearnedTextCleaner()._model.meta  # the shipped model's own CV record
    html_meta = load_html_line_model().meta
    parts.append(
        "The shipped line classifiers were fitted on all the dev pages after that "
        f"cross-validation ({model_meta.get('folds', '?')}); their training scripts: "
        f"`{model_meta.get('script', '?')}` (plain text), `{html_meta.get('script', '?')}` "
        "(HTML).  Load average when measured: "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on 2 cores shared with other jobs."
    )
    sample = f" (every {args.limit}th page of each set)" if args.limit else ""
    kind = " (HTML)" if args.skip_text else " (plain text)" if args.skip_html else ""
    body = f"## Cleaning{kind}{sample}\n\n" + "\n\n".join(parts)
    print(body)
    if args.write:
        write_section("clean-html" if args.skip_text else "clean", body)


if __name__ == "__main__":
    main()
