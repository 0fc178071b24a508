"""Digest time per story of 5, 50 and 500 articles.

The members are the first N articles of ECB+ dev (../shared/data/stories), cleaned
and represented as an ingest would (hashing embedder: the digest does not use
sentence embeddings), every one an original.  "cold" is what an ingest pays for
the story's digest from nothing: every body read by spaCy into its extract
(``StoryDigester.extract``; the model is loaded before timing) plus one digest
from the extracts; "digest" is that last part alone (what a refresh of an
unchanged story costs); "grown" is the cost of one more article: its extract and
the story's digest again (the others' extracts are kept, as the store keeps them).

    .venv/bin/python bench/digest_time.py            # print the table
    .venv/bin/python bench/digest_time.py --write    # and write it to docs/digest.md
    .venv/bin/python bench/digest_time.py --sizes 5 50   # other story sizes
"""

from __future__ import annotations

import argparse
import re
import time

from storyfold.clean.text import RuleTextCleaner
from storyfold.digest import CentralSentences, StoryDigester
from storyfold.digest.nlp import SpacyReader
from storyfold.records import Article
from storyfold.represent import Representer
from storyfold.represent.embedders import HashingEmbedder
from storyfold.represent.text import content_hash

from common import DATA, ROOT, read_jsonl

SIZES = (5, 50, 500)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    rows = list(read_jsonl(DATA / "stories" / "ecbplus-dev.jsonl"))
    cleaner = RuleTextCleaner()
    articles = []
    for seq, row in enumerate(rows[: max(args.sizes) + 1], start=1):
        body = cleaner.clean(str(row["text"])).body
        articles.append(Article(str(row["id"]), "ecb", body, content_hash(body), seen=seq))
    representer = Representer(HashingEmbedder())
    reps = representer.represent(articles)
    reader = SpacyReader()
    list(reader.parse(["Warm up the model."]))
    lines = [
        "| articles | words | cold s | digest s | grown by one s | quotes | entities | claims |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size in args.sizes:
        members = [(a, r, None) for a, r in zip(articles[:size], reps[:size], strict=True)]
        summary = CentralSentences(representer.terms)
        digester = StoryDigester(summary, summary.vector, reader)
        start = time.perf_counter()
        extracts = {e.article: e for e in digester.extract([(a, r) for a, r, _ in members])}
        middle = time.perf_counter()
        digest = digester.digest("s", members, extracts)
        cold = time.perf_counter() - start
        alone = time.perf_counter() - middle
        grown = [*members, (articles[size], reps[size], None)]
        start = time.perf_counter()
        extracts.update((e.article, e) for e in digester.extract([(articles[size], reps[size])]))
        digester.digest("s", grown, extracts)
        warm = time.perf_counter() - start
        words = sum(len(a.body.split()) for a, _, _ in members)
        lines.append(
            f"| {size} | {words} | {cold:.2f} | {alone:.2f} | {warm:.2f} | {len(digest.quotes)} "
            f"| {len(digest.entities)} | {len(digest.coverage)} |"
        )
        print(lines[-1], flush=True)
    table = "\n".join(lines)
    if args.write:
        path = ROOT / "docs" / "digest.md"
        text = path.read_text(encoding="utf-8")
        block = f"<!-- digest_time -->\n{table}\n<!-- /digest_time -->"
        path.write_text(
            re.sub(r"<!-- digest_time -->.*?<!-- /digest_time -->", block, text, flags=re.S),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
