"""Batch pipeline throughput on Dask LocalClusters of 1 and 2 workers.

Builds N articles from the dev texts (ECB+ dev and the WCXB dev plain-text
pages' gold bodies): each is one dev text, its sentences' order rotated and
one sentence from another text added, so bodies differ; one in ten is a near
copy (a sentence dropped) or a rewrite-like copy (sentences reordered) of an
earlier one.  Dates run over 90 days, evenly.  Runs ``storyfold.batch`` on a
new store for each worker count and reports articles per second, each stage's
wall time and, from Dask's task stream, each task kind's compute time per task.

    .venv/bin/python bench/batch_throughput.py --articles 3000 --workers 1 2 --write

Each worker count's result is also kept in ``bench/.cache`` (one file per
stream and size), so a long run can be split: ``--workers 2 --write`` now,
``--workers 1 --write`` later, and the section shows both rows, each with the
time and commit it was measured at.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import synth_stream
from distributed import get_task_stream

from storyfold import Engine
from storyfold.batch import BatchOptions, connect, run_batch
from storyfold.config import Settings
from storyfold.represent.text import sentences

from common import DATA, read_jsonl, write_section

CACHE = Path(__file__).parent / ".cache"


def dev_texts() -> list[tuple[str, str]]:
    texts = [
        (str(r["id"]), str(r["text"])) for r in read_jsonl(DATA / "stories" / "ecbplus-dev.jsonl")
    ]
    for r in read_jsonl(DATA / "pages" / "wcxb-dev-articles.text.jsonl"):
        body = str(r.get("gold_body") or "")
        if len(body.split()) >= 80:
            texts.append((str(r["id"]), body))
    return texts


def build(n: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    texts = [sentences(t)[:40] for _, t in dev_texts()]
    texts = [s for s in texts if len(s) >= 3]
    out: list[dict[str, str]] = []
    for k in range(n):
        published = (date(2025, 1, 1) + timedelta(days=k * 90 // n)).isoformat()
        if out and rng.random() < 0.1:
            source = rng.choice(out[-500:])["text"].split("\n")
            if rng.random() < 0.5 and len(source) > 3:
                source.pop(rng.randrange(len(source)))
            else:
                rng.shuffle(source)
            lines = source
        else:
            base = texts[k % len(texts)]
            turn = (k // len(texts)) % len(base)
            lines = base[turn:] + base[:turn] + [rng.choice(rng.choice(texts))]
        out.append({"id": f"b{k:06d}", "text": "\n".join(lines), "published": published})
    return out


def run(path: Path, workers: int, tmp: Path) -> dict[str, object]:
    db = tmp / f"batch{workers}.db"
    settings = Settings()
    options = BatchOptions(partitions=4 * workers, digests=False)
    with connect(f"local:{workers}") as client, Engine.open(db, settings=settings) as engine:
        load = os.getloadavg()
        start = time.perf_counter()
        with get_task_stream(client) as stream:
            report = run_batch(engine, [path], client, partial(Engine, settings=settings), options)
        seconds = time.perf_counter() - start
        tasks: dict[str, list[float]] = defaultdict(list)
        for task in stream.data:
            name = str(task["key"]).split("-")[0].strip("('")
            compute = sum(
                s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute"
            )
            tasks[name].append(compute)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return {
        "at": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "commit": commit.stdout.strip(),
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "workers": workers,
        "articles": report.ingested,
        "seconds": round(seconds, 1),
        "rate": round(report.ingested / seconds, 2),
        "copies": report.copies,
        "stories": report.stories_opened,
        "stages": report.seconds,
        "tasks": {
            k: (len(v), round(sum(v) / len(v), 3), round(sum(v), 1)) for k, v in tasks.items()
        },
        "load": [round(x, 2) for x in load],
        "partitions": report.partitions,
    }


STREAMS = {
    "dev": "built from the dev texts (90 days of dates, 1 in 10 made a copy; the dev texts "
    "hold copies too, and a stream longer than the ~1,300 texts reuses each of them "
    "rotated, which the copy stage finds)",
    "synth": "from bench/synth_stream.py --seed 1 (40% copies: exact, boilerplate, trim, "
    "append, word edits, wmt21 translations; composite originals once the dev texts run "
    "out; 1,000 articles a day)",
}


def table(results: list[dict[str, object]], stream: str) -> str:
    lines = [
        f"Batch pipeline (`storyfold.batch`, digests off) on {results[0]['articles']} articles "
        f"{STREAMS[stream]}, stories folded by the engine on the client as the batch writes "
        f"(story window {BatchOptions().story_window}, 0 = off), Dask LocalCluster of worker "
        "processes, one thread each, on this 2-core machine shared with other jobs.",
        "",
        "| workers | partitions | articles/s | wall s | copies | stories "
        "| load at start (1, 5, 15 min) | run at (UTC), commit |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['workers']} | {r['partitions']} | {r['rate']} | {r['seconds']} | {r['copies']} | "
            f"{r['stories']} | {r['load']} | {r.get('at', '-')}, {r.get('commit', '-')} |"
        )
    lines += ["", "`uptime` at the end of each run:", ""]
    lines += [f"- {r['workers']} worker(s): `{r.get('uptime', '-')}`" for r in results]
    lines += ["", "Stage wall times (s) as the client saw them:", ""]
    stages = list(dict.fromkeys(s for r in results for s in r["stages"]))  # type: ignore[attr-defined]
    lines.append("| workers | " + " | ".join(stages) + " |")
    lines.append("|---" * (len(stages) + 1) + "|")
    for r in results:
        lines.append(
            f"| {r['workers']} | " + " | ".join(str(r["stages"].get(s, "-")) for s in stages) + " |"
        )  # type: ignore[index]
    lines += [
        "",
        "Per-task compute time from Dask's task stream (tasks, mean s per task, total s):",
        "",
    ]
    kinds = sorted({k for r in results for k in r["tasks"]})  # type: ignore[attr-defined]
    lines.append("| task | " + " | ".join(f"{r['workers']} worker(s)" for r in results) + " |")
    lines.append("|---" * (len(results) + 1) + "|")
    for kind in kinds:
        cells = []
        for r in results:
            t = r["tasks"].get(kind)  # type: ignore[attr-defined]
            cells.append(f"{t[0]} × {t[1]} = {t[2]}" if t else "-")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--stream",
        choices=("dev", "synth"),
        default="dev",
        help="dev: the dev texts rotated (a pool of ~1,300 texts, so large runs are mostly "
        "copies); synth: bench/synth_stream.py (40%% copies, composite originals, 1,000 "
        "articles a day)",
    )
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        path = tmp / "articles.jsonl"
        if args.stream == "synth":
            lines = (
                json.dumps({"id": i.id, "text": i.text, "lang": i.lang, "published": i.published})
                for i in synth_stream.stream(args.articles, seed=1)
            )
        else:
            lines = (json.dumps(a) for a in build(args.articles))
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        kept = CACHE / f"batch-throughput-{args.stream}-{args.articles}.json"
        rows = {int(k): v for k, v in json.loads(kept.read_text()).items()} if kept.exists() else {}
        for workers in args.workers:
            rows[workers] = run(path, workers, tmp)
            print(json.dumps(rows[workers]), flush=True)
            CACHE.mkdir(exist_ok=True)
            kept.write_text(json.dumps(rows), encoding="utf-8")
    results = [rows[w] for w in sorted(rows)]
    body = table(results, args.stream)
    print(body)
    if args.write:
        write_section(
            f"batch-throughput-{args.stream}-{args.articles}",
            f"## Batch pipeline on Dask: {args.articles:,} articles ({args.stream} stream)\n\n"
            + body,
        )


if __name__ == "__main__":
    main()
