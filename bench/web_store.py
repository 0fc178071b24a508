"""A store of 10,000 articles for the web load test, built once and cached.

The texts are real dev texts: every ECB+ dev text (535), every WMT21 dev text
(5,392: originals and their human and machine translations), every WCXB dev
page and Scrapinghub page as plain text (790 + 181).  That is 6,898 articles;
the rest up to 10,000 are syndicated copies: a text picked at random (seed 7)
republished under another id and a wire outlet's name, as agencies' stories
are.  Each article gets a publication date spread over a year (a hash of its
id), so that date filters and the story time window have something to work on.

The pipeline is the shipped one (clean, represent, copies, stories) with two
stages swapped for speed, so that the build takes minutes and not an hour on
a shared 2-core machine: the ``hashing`` embedder instead of USE (USE ran at
under 3 articles/s here with the machine loaded), and the v0 digester
(``CentralSentences``: title, sources and a three-sentence summary, no spaCy
parse).  An ingest into this store must use the same embedder; with the
default digester it writes full digests for the stories it touches.

    .venv/bin/python bench/web_store.py [--articles 10000] [--out /tmp/storyfold-web-10k.db]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from datetime import date, timedelta
from pathlib import Path

from storyfold import Engine, Settings
from storyfold.digest import CentralSentences
from storyfold.store import Store

from common import DATA, read_jsonl

DEFAULT_DB = Path("/tmp/storyfold-web-10k.db")
_START = date(2025, 11, 1)


def _published(article_id: str) -> str:
    day = int(hashlib.sha1(article_id.encode()).hexdigest()[:8], 16) % 365
    return (_START + timedelta(days=day)).isoformat() + "T08:00:00Z"


def dev_records(total: int) -> list[dict[str, str]]:
    """``total`` JSONL records from the dev texts, with copies to make up the count."""
    records: list[dict[str, str]] = []
    for row in read_jsonl(DATA / "stories" / "ecbplus-dev.jsonl"):
        records.append(
            {
                "id": str(row["id"]),
                "text": str(row["text"]),
                "source": str(row["source"]),
                **({"url": str(row["url"])} if row.get("url") else {}),
            }
        )
    for row in read_jsonl(DATA / "copies" / "wmt21-dev.jsonl"):
        records.append(
            {
                "id": str(row["id"]),
                "text": str(row["text"]),
                "lang": str(row["lang"]),
                "source": str(row.get("source") or "wmt21"),
            }
        )
    for name in ("wcxb-dev-articles.text.jsonl", "scrapinghub.text.jsonl"):
        for row in read_jsonl(DATA / "pages" / name):
            text = row.get("page_text") or row.get("text")
            if not text:
                continue
            record = {"id": str(row["id"]), "text": str(text)}
            if row.get("url"):
                record["url"] = str(row["url"])
            records.append(record)
    originals = list(records)
    rng = random.Random(7)
    while len(records) < total:
        picked = rng.choice(originals)
        number = len(records)
        records.append(
            {**picked, "id": f"{picked['id']}-wire{number}", "source": f"Wire {number % 13 + 1}"}
        )
    records = records[:total]
    for record in records:
        record["published"] = _published(record["id"])
    return records


def build(db: Path, total: int) -> Path:
    """Build the store at ``db`` unless it already holds ``total`` articles."""
    if db.exists():
        store = Store.open(db)
        try:
            if store.count_articles() >= total:
                return db
        finally:
            store.close()
    feed = db.with_suffix(".jsonl")
    feed.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in dev_records(total)),
        encoding="utf-8",
    )
    started = time.perf_counter()
    engine = Engine.open(db, settings=Settings(embedder="hashing"))
    engine.digester = CentralSentences(engine.representer.terms, engine.settings.summary_sentences)
    with engine:
        report = engine.ingest_paths([feed])
    print(
        f"built {db}: ingested {report.ingested}, unchanged {report.unchanged}, skipped "
        f"{len(report.skipped)}, copies {report.copies}, stories {report.stories_opened} "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=DEFAULT_DB)
    args = parser.parse_args()
    build(args.out, args.articles)


if __name__ == "__main__":
    main()
