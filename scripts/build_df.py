"""Build the packaged document-frequency table that TF-IDF weights come from.

Documents: the gold article bodies of the page sets (WCXB dev articles,
scrapinghub) and the English originals and human translations of wmt21-dev:
about a thousand news articles of many outlets and topics.  ECB+ is left out
on purpose: it is what story clustering is scored on.

    .venv/bin/python scripts/build_df.py ../shared/data src/storyfold/data/df.tsv.gz
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from pathlib import Path

from storyfold.represent.text import words


def main(data: Path, target: Path) -> None:
    docs: list[str] = []
    for name in ("wcxb-dev-articles.text.jsonl", "scrapinghub.text.jsonl"):
        with (data / "pages" / name).open(encoding="utf-8") as f:
            docs.extend(json.loads(line)["gold_body"] for line in f)
    with (data / "copies" / "wmt21-dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["lang"] == "en" and row["role"] in ("original", "human-translation"):
                docs.append(row["text"])
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(words(doc)))
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.write(f"#documents\t{len(docs)}\n")
        for word, count in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])):
            if count >= 2:
                out.write(f"{word}\t{count}\n")
    print(f"{len(docs)} documents, {sum(1 for c in df.values() if c >= 2)} words -> {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
