"""Shared pieces of the benchmarks: data paths, scorers, result writing."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from storyfold import Engine
from storyfold.config import Settings
from storyfold.digest import CentralSentences
from storyfold.evaluate import ari, bcubed, pairwise
from storyfold.records import RawArticle

__all__ = ["ari", "bcubed", "pairwise"]

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("STORYFOLD_DATA", ROOT.parent / "shared" / "data"))
SEEDS = DATA.parent / "seeds"


def read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def ecb_raws(rows: Sequence[dict[str, object]]) -> list[RawArticle]:
    """ECB+ dev rows as the raw articles an ingest reads (id, text, URL only:
    the gold fields stay out of the system under test)."""
    return [
        RawArticle(
            id=str(r["id"]),
            origin="ecb",
            text=str(r["text"]),
            url=str(r["url"]) if r.get("url") else None,
        )
        for r in rows
    ]


def light_engine(settings: Settings | None = None) -> Engine:
    """An in-memory engine with the shipped stages but the light digest
    (central sentences): for runs about grouping, not digests."""
    engine = Engine.open(":memory:", settings=settings or Settings())
    engine.digester = CentralSentences(engine.representer.terms)
    return engine


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    m = sum(values) / len(values)
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def command() -> str:
    return " ".join([".venv/bin/python", *sys.argv])


BENCHMARKS = ROOT / "docs" / "benchmarks.md"


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section ``name`` of docs/benchmarks.md.

    Each section starts with the command that produced it, so every figure
    there can be reproduced.
    """
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    block = f"{start}\n{body.strip()}\n\nProduced by `{command()}`.\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    BENCHMARKS.write_text(text, encoding="utf-8")
