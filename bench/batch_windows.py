"""How far the batch's per-window story stage is from the local ingest's stories.

Runs the batch's map and copy stages once on a LocalCluster, then the story
stage and the write for each (window, lead-in) setting into a new store:
window 0 folds every story on the client, as ``ingest`` does (the batch tests
check that it equals the local ingest), and is the reference.  Reports, per
setting, the ARI and the B-cubed F1 of the stories against the reference over
every article (ARI counts pairs, so one large story weighs most; B-cubed
weighs each article alike), B-cubed F1 against the gold events where the input
has them (ECB+ dev), the number of stories and the three largest, and the wall
time of the story stage and the write.

    .venv/bin/python bench/batch_windows.py --input ecb --settings 0:0 128:64 128:128 --write
    .venv/bin/python bench/batch_windows.py --input synth --articles 10000 \\
        --settings 0:0 2500:500 2500:2500 --write
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import synth_stream

from storyfold import Engine
from storyfold.batch import BatchOptions, connect
from storyfold.batch.runner import _Run
from storyfold.batch.tasks import PLUGIN, EngineOnWorker
from storyfold.config import Settings
from storyfold.evaluate import ari, bcubed
from storyfold.readers import Fetcher, read_inputs
from storyfold.records import RawArticle

from common import DATA, read_jsonl, write_section


def _inputs(kind: str, articles: int, tmp: Path) -> tuple[Path, dict[str, str]]:
    path = tmp / "in.jsonl"
    gold: dict[str, str] = {}
    if kind == "ecb":
        rows = list(read_jsonl(DATA / "stories" / "ecbplus-dev.jsonl"))
        lines = [json.dumps({"id": r["id"], "text": r["text"]}) for r in rows]
        gold = {str(r["id"]): str(r["story"]) for r in rows}
    else:
        lines = [
            json.dumps({"id": i.id, "text": i.text, "lang": i.lang, "published": i.published})
            for i in synth_stream.stream(articles, seed=1)
        ]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path, gold


def _stories(db: Path) -> dict[str, str]:
    import sqlite3

    with sqlite3.connect(db) as con:
        return {str(i): str(s) for i, s in con.execute("SELECT id, story FROM articles")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", choices=("ecb", "synth"), default="ecb")
    parser.add_argument("--articles", type=int, default=10_000, help="synth only")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--settings", nargs="+", default=["0:0", "128:64"], help="window:lead-in, articles"
    )
    parser.add_argument("--embedder", default="use", help="use (shipped) or hashing (no model)")
    parser.add_argument("--keep", type=Path, help="copy the stores here")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    settings = replace(Settings(), embedder=args.embedder)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        path, gold = _inputs(args.input, args.articles, tmp)
        with connect(f"local:{args.workers}") as client:
            client.register_plugin(EngineOnWorker(partial(Engine, settings=settings)), name=PLUGIN)
            first = Engine.open(tmp / "maps.db", settings=settings)
            run = _Run(first, client, BatchOptions(digests=False), lambda name, c: None)
            items = list(read_inputs([path], settings.max_input_bytes, fetcher=Fetcher(settings)))
            raws = [i for i in items if isinstance(i, RawArticle)]
            parts = 4 * args.workers
            articles = run._clean(raws, parts, items)
            records = run._represent(articles, parts)
            links = run._copies(records)
            run._collect(records)
            reference: dict[str, str] | None = None
            for setting in args.settings:
                window, lead = (int(x) for x in setting.split(":"))
                db = tmp / f"w{window}-{lead}.db"
                with Engine.open(db, settings=settings) as engine:
                    run.engine = engine
                    run.options = replace(run.options, story_window=window, story_lead_in=lead)
                    start = time.perf_counter()
                    decided = run._stories(records, links)
                    middle = time.perf_counter()
                    run._write(links, decided, [])
                    end = time.perf_counter()
                stories = _stories(db)
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (args.keep / db.name).write_bytes(db.read_bytes())
                if reference is None:
                    reference = stories
                ids = sorted(reference)
                row: dict[str, Any] = {
                    "window": window,
                    "lead_in": lead,
                    "windows": -(-len(ids) // window) if window else 1,
                    "stories": len(set(stories.values())),
                    "largest": sorted(Counter(stories.values()).values())[-3:],
                    "ari": round(ari([reference[i] for i in ids], [stories[i] for i in ids]), 4),
                    "b3": round(
                        bcubed([reference[i] for i in ids], [stories[i] for i in ids])[2], 4
                    ),
                    "stage_s": round(middle - start, 1),
                    "write_s": round(end - middle, 1),
                }
                if gold:
                    known = [i for i in ids if i in gold]
                    row["gold_b3"] = round(
                        bcubed([gold[i] for i in known], [stories[i] for i in known])[2], 4
                    )
                results.append(row)
                print(json.dumps(row), flush=True)
            first.close()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    what = (
        "ECB+ dev (535 articles, undated, file order)"
        if args.input == "ecb"
        else f"{args.articles:,} articles of bench/synth_stream.py --seed 1 (1,000 a day)"
    )
    lines = [
        f"The batch's story stage on {what}, LocalCluster of {args.workers} worker processes; "
        "map and copy stages run once, then the story stage and the write for each setting "
        f"into a new store. Window 0 is the client's fold, the local ingest's stories. "
        f"`uptime` at the end: `{uptime}`; load at the start {os.getloadavg()[0]:.2f}.",
        "",
        "| window | lead-in | windows | stories | largest three | ARI vs window 0 | "
        "B3 F1 vs window 0 | " + ("B3 F1 vs gold | " if gold else "") + "story stage s | write s |",
        "|---|---|---|---|---|---|---|" + ("---|" if gold else "") + "---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['window']} | {r['lead_in']} | {r['windows']} | {r['stories']} | "
            f"{r['largest']} | {r['ari']} | {r['b3']} | "
            + (f"{r['gold_b3']} | " if gold else "")
            + f"{r['stage_s']} | {r['write_s']} |"
        )
    body = "\n".join(lines)
    print(body)
    if args.write:
        name = f"batch-windows-{args.input}" + (
            f"-{args.articles}" if args.input == "synth" else ""
        )
        write_section(name, "## Batch: stories per window against the local ingest\n\n" + body)


if __name__ == "__main__":
    main()
