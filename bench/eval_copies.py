"""Copy detection on wmt21-dev (families of an article and its translations)
and on ECB+ dev hard negatives (independent reports of one event), with the
shipped defaults, through the copy stage alone (bench/copies_stage.py: the
links are those of a full ingest, without the story and digest stages' cost).

wmt21-dev's en-is families hold the Icelandic translations of the English
originals of the en-ja families with the same document name (the English
text itself is only in the en-ja family), so linking them is right but counts
as a false merge against the gold as given.  The report also scores against
the gold with those family pairs merged ("same document").

    .venv/bin/python bench/eval_copies.py [--langs en] [--limit N] [--write]
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections import Counter

from copies_stage import families, fold_copies

from storyfold import Engine
from storyfold.records import RawArticle
from storyfold.represent.text import shingles

from common import DATA, ari, pairwise, read_jsonl, write_section


def same_document(family: str) -> str:
    """en-is and en-ja families of one English document are one family."""
    pair, _, name = family.partition(":")
    return f"en-ja:{name}" if pair == "en-is" else family


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--langs", default="en", help="comma-separated, or 'all'")
    parser.add_argument("--limit", type=int, default=0, help="first N families only")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rows = list(read_jsonl(DATA / "copies" / "wmt21-dev.jsonl"))
    if args.langs != "all":
        wanted = set(args.langs.split(","))
        rows = [r for r in rows if r["lang"] in wanted]
    if args.limit:
        keep = list(dict.fromkeys(str(r["family"]) for r in rows))[: args.limit]
        rows = [r for r in rows if r["family"] in set(keep)]
    engine = Engine.open(":memory:")
    raws = [
        RawArticle(id=str(r["id"]), origin="wmt21", text=str(r["text"]), lang=str(r["lang"]))
        for r in rows
    ]
    t0 = time.perf_counter()
    fold_copies(engine, raws)
    seconds = time.perf_counter() - t0
    ids = [str(r["id"]) for r in rows]
    gold = [str(r["family"]) for r in rows]
    pred = families(engine, ids)
    p, r, f = pairwise(gold, pred)
    merged = [same_document(g) for g in gold]
    mp, mr, mf = pairwise(merged, pred)
    kinds = Counter(link.kind for i in ids if (link := engine.store.copy_link(i)) is not None)

    ecb = list(read_jsonl(DATA / "stories" / "ecbplus-dev.jsonl"))
    negatives = Engine.open(":memory:")
    fold_copies(
        negatives, (RawArticle(id=str(x["id"]), origin="ecb", text=str(x["text"])) for x in ecb)
    )
    ecb_pred = dict(
        zip(
            [str(x["id"]) for x in ecb],
            families(negatives, [str(x["id"]) for x in ecb]),
            strict=True,
        )
    )
    # The hard negatives: reports of one event written independently (word
    # 3-gram Jaccard under 0.05), as the copy issue defines them.
    grams = {str(x["id"]): shingles(str(x["text"]), 3) for x in ecb}

    def jaccard(a: str, b: str) -> float:
        return len(grams[a] & grams[b]) / max(1, len(grams[a] | grams[b]))

    same_story = [
        (a, b)
        for a, b in itertools.combinations(ecb, 2)
        if a["story"] == b["story"] and jaccard(str(a["id"]), str(b["id"])) < 0.05
    ]
    false_copies = sum(ecb_pred[str(a["id"])] == ecb_pred[str(b["id"])] for a, b in same_story)
    report = "\n".join(
        [
            f"## Copies: wmt21-dev, languages {args.langs}"
            + (f", first {args.limit} families" if args.limit else ""),
            "",
            "| texts | families | pairwise P | pairwise R | pairwise F1 | ARI | s | links by kind |",
            "|---|---|---|---|---|---|---|---|",
            f"| {len(rows)} | {len(set(gold))} | {p:.3f} | {r:.3f} | {f:.3f} | **{ari(gold, pred):.3f}** "
            f"| {seconds:.0f} | {dict(kinds)} |",
            f"| same-document gold | {len(set(merged))} | {mp:.3f} | {mr:.3f} | {mf:.3f} "
            f"| **{ari(merged, pred):.3f}** | | |",
            "",
            f"Hard negatives: {false_copies} of {len(same_story)} independently written pairs "
            "(word 3-gram Jaccard < 0.05) of the same ECB+ dev story put in one copy family "
            f"({100 * false_copies / max(1, len(same_story)):.2f}%).",
        ]
    )
    print(report)
    if args.write:
        write_section(f"copies-{args.langs}", report)


if __name__ == "__main__":
    main()
