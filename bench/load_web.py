"""Loopback load on the web UI and API: 200 concurrent readers for 30 seconds
against a store of 10,000 articles while an ingest runs.

The store is built once by ``bench/web_store.py`` (cached in /tmp) and copied
for each run, so the ingest never changes the cached one.  The server is
``storyfold serve`` in its own process (one uvicorn worker).  The readers are
200 asyncio tasks on httpx, each requesting a page or an API answer, waiting
for it, and asking again at once: home pages (plain, searched, filtered by
outlet, sorted by size, page 2), story pages, article pages and the JSON API.
Meanwhile one client POSTs new articles (ECB+ dev texts again, under new ids,
their sentences in reverse order so they are new articles) 16 at a time,
one request after another, to ``POST /api/articles``.

    .venv/bin/python bench/load_web.py [--readers 200] [--seconds 30] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
from web_store import DEFAULT_DB, build

from storyfold.web.serving import serve_process

from common import DATA, read_jsonl, write_section

TOKEN = "load-test-token"


def copy_store(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


def targets(db: Path) -> dict[str, list[str]]:
    """URLs of each kind, drawn from the store."""
    with sqlite3.connect(db) as con:
        stories = [r[0] for r in con.execute("SELECT id FROM stories ORDER BY random() LIMIT 500")]
        articles = [
            r[0] for r in con.execute("SELECT id FROM articles ORDER BY random() LIMIT 500")
        ]
        sources = [
            r[0]
            for r in con.execute(
                "SELECT source FROM articles WHERE source IS NOT NULL GROUP BY source "
                "ORDER BY count(*) DESC LIMIT 20"
            )
        ]
    words = [
        "minister",
        "earthquake",
        "police",
        "election",
        "market",
        "Obama",
        "fire",
        "court",
        "Regierung",
        "football",
        "storm",
        "company",
    ]
    return {
        "home": ["/", "/?sort=size", "/?page=2"],
        "home search": [f"/?q={w}" for w in words],
        "home filter": [f"/?source={quote(s)}" for s in sources]
        + ["/?lang=de", "/?since=2026-01-01&until=2026-02-01"],
        "story page": [f"/stories/{s}" for s in stories],
        "article page": [f"/articles/{a}" for a in articles],
        "api stories": ["/api/stories", "/api/stories?sort=size&per_page=50"],
        "api story": [f"/api/stories/{s}" for s in stories],
        "api article": [f"/api/articles/{a}" for a in articles],
        "api search": [f"/api/search?q={w}" for w in words],
    }


WEIGHTS = {
    "home": 15,
    "home search": 10,
    "home filter": 10,
    "story page": 25,
    "article page": 15,
    "api stories": 5,
    "api story": 10,
    "api article": 5,
    "api search": 5,
}


async def readers(
    base: str, urls: dict[str, list[str]], count: int, seconds: float
) -> tuple[dict[str, list[float]], Counter[str]]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def reader(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < stop:
                kind = rng.choices(kinds, weights)[0]
                url = rng.choice(urls[kind])
                started = time.perf_counter()
                try:
                    answer = await client.get(url)
                    if answer.status_code != 200:
                        errors[f"{kind}: HTTP {answer.status_code}"] += 1
                        continue
                except httpx.HTTPError as exc:
                    errors[f"{kind}: {type(exc).__name__}"] += 1
                    continue
                latencies[kind].append(time.perf_counter() - started)

        await asyncio.gather(*(reader(i) for i in range(count)))
    return latencies, errors


@dataclass
class Ingested:
    posted: int = 0
    ingested: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def ingest_during(base: str, stop: threading.Event, outcome: Ingested) -> None:
    """POST new articles, 16 a request, one request after another, until stopped."""
    rows = list(read_jsonl(DATA / "stories" / "ecbplus-dev.jsonl"))
    with httpx.Client(
        base_url=base, timeout=600, headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        for start in range(0, len(rows), 16):
            if stop.is_set():
                break
            batch = [
                {
                    "id": f"late-{r['id']}",
                    "source": "Late Wire",
                    "published": "2026-10-30",
                    "text": "\n".join(reversed(str(r["text"]).splitlines())),
                }
                for r in rows[start : start + 16]
            ]
            began = time.perf_counter()
            answer = client.post("/api/articles", json=batch)
            outcome.seconds.append(time.perf_counter() - began)
            outcome.posted += len(batch)
            if answer.status_code != 200:
                outcome.failures.append(f"HTTP {answer.status_code}: {answer.text[:200]}")
            else:
                outcome.ingested += int(answer.json()["ingested"])


def one_reader(base: str, urls: dict[str, list[str]], each: int = 10) -> dict[str, float]:
    """Median latency of each kind of request with one reader and no ingest:
    what a request costs when it waits for nothing."""
    rng = random.Random(1)
    medians = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for kind in WEIGHTS:
            times = []
            for _ in range(each):
                began = time.perf_counter()
                client.get(rng.choice(urls[kind])).raise_for_status()
                times.append(time.perf_counter() - began)
            medians[kind] = statistics.median(times)
    return medians


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--store", type=Path, default=DEFAULT_DB)
    parser.add_argument("--articles", type=int, default=10_000, help="the store's size")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    cached = build(args.store, args.articles)
    db = args.store.with_name("storyfold-web-load.db")
    copy_store(cached, db)
    with sqlite3.connect(db) as con:
        articles_before = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        stories_before = con.execute("SELECT count(*) FROM stories").fetchone()[0]
    with serve_process(db, "--embedder", "hashing", token=TOKEN) as base:
        urls = targets(db)
        alone = one_reader(base, urls)
        stop, outcome = threading.Event(), Ingested()
        ingest = threading.Thread(target=ingest_during, args=(base, stop, outcome))
        load_before = os.getloadavg()
        ingest.start()
        time.sleep(1.0)  # the first POST is in flight (the engine loads) before readers start
        began = time.perf_counter()
        latencies, errors = asyncio.run(readers(base, urls, args.readers, args.seconds))
        elapsed = time.perf_counter() - began
        load_after = os.getloadavg()
        stop.set()
        ingest.join()

    every = [v for values in latencies.values() for v in values]
    total = len(every) + sum(errors.values())
    lines = [
        "## Web: loopback load",
        "",
        f"{args.readers} concurrent readers for {args.seconds:.0f} s against `storyfold serve` "
        f"(one uvicorn worker) over a store of {articles_before:,} articles in "
        f"{stories_before:,} stories, while `POST /api/articles` ingested new articles "
        "(16 a request, one after another) with the default stages but the store's "
        "`hashing` embedder and full (spaCy) digests. The store: `bench/web_store.py` "
        "(real dev texts: all of ECB+ dev, WMT21 dev, WCXB dev and Scrapinghub pages as "
        "plain text, topped up to 10,000 with syndicated copies; built with the `hashing` "
        "embedder and the v0 digest, as its docstring says).",
        "",
        f"- requests: {total:,} ({total / elapsed:.0f}/s), errors: {sum(errors.values())}"
        + (f" ({', '.join(f'{k} x{v}' for k, v in errors.items())})" if errors else ""),
        f"- latency, all requests: p50 {statistics.median(every) * 1000:.0f} ms, "
        f"p95 {percentile(every, 0.95) * 1000:.0f} ms, p99 {percentile(every, 0.99) * 1000:.0f} ms",
        f"- ingest during the run: {outcome.ingested} articles in {len(outcome.seconds)} "
        f"requests (each {', '.join(f'{s:.1f}' for s in outcome.seconds)} s), "
        f"failures: {len(outcome.failures)}",
        f"- machine load (1-min average) before / after: {load_before[0]:.1f} / "
        f"{load_after[0]:.1f} on 2 cores shared with other jobs",
        "",
        "| request | count | p50 ms | p95 ms | one reader alone, no ingest: p50 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in WEIGHTS:
        values = latencies.get(kind, [])
        if values:
            lines.append(
                f"| {kind} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
                f"{percentile(values, 0.95) * 1000:.0f} | {alone[kind] * 1000:.0f} |"
            )
    report = "\n".join(lines)
    print(report)
    if outcome.failures:
        print(json.dumps(outcome.failures, indent=1))
    if args.write:
        write_section("web-load", report)
    if errors or outcome.failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
