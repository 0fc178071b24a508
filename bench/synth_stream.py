"""A seedable synthetic news stream with labelled copies, built from the dev texts.

Originals are the wmt21-dev originals (with their real human and machine
translations as translated copies), the ECB+ dev articles, the WCXB dev gold
bodies, and, once those run out, composite articles: 6-12 sentences drawn from
as many different dev articles (they share at most a sentence with any other
text, so they are not copies of anything).  Each copy is made from an
original published at most a few days before it, by one of the edits news
copies go through:

- ``exact``: syndicated word for word;
- ``boilerplate``: the same body with an agency credit, a "read more" line
  and a copyright footer;
- ``trim``: the last one to three sentences cut;
- ``append``: an update paragraph added at the end;
- ``edit``: light word edits (a few words dropped, numbers changed, a word
  replaced);
- ``translation``: another text of the original's wmt21 family (a human or
  machine translation into another language, or a machine translation into
  the same language).

Every item has ``id``, ``text``, ``lang``, ``published`` (ISO date; the stream
runs ``--per-day`` articles a day), ``family`` (gold: the original's id) and
``kind`` (``original`` or the edit).  The same ``--seed`` gives the same stream.

    .venv/bin/python bench/synth_stream.py --size 10000 --seed 1 > stream.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from common import DATA, read_jsonl

EDITS = ("exact", "boilerplate", "trim", "append", "edit", "translation")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_CREDITS = ("(Reuters) - ", "(AP) — ", "AFP - ", "")
_FOOTERS = (
    "Copyright 2024 The Associated Press. All rights reserved.",
    "Read more: the full coverage on our website.",
    "Sign up for our morning newsletter to get the news first.",
    "Reporting by staff; editing by the desk.",
)


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: str
    lang: str
    published: str
    family: str
    kind: str

    def as_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "text": self.text,
                "lang": self.lang,
                "published": self.published,
                "family": self.family,
                "kind": self.kind,
            },
            ensure_ascii=False,
        )


def _split(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        out.extend(s.strip() for s in _SPLIT.split(line) if s.strip())
    return out


def _sources() -> tuple[list[list[dict[str, str]]], list[str], list[str]]:
    """wmt21 families (original first), other English bodies, and a sentence pool."""
    by_family: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read_jsonl(DATA / "copies" / "wmt21-dev.jsonl"):
        by_family[str(row["family"])].append({k: str(v) for k, v in row.items()})
    families = [
        sorted(rows, key=lambda r: r["role"] != "original") for _, rows in sorted(by_family.items())
    ]
    bodies = [str(r["text"]) for r in read_jsonl(DATA / "stories" / "ecbplus-dev.jsonl")]
    for name in ("wcxb-dev-articles.text.jsonl",):
        path = DATA / "pages" / name
        if path.exists():
            bodies += [str(r["gold_body"]) for r in read_jsonl(path) if r.get("gold_body")]
    english = bodies + [r[0]["text"] for r in families if r[0]["lang"] == "en"]
    pool = [s for text in english for s in _split(text) if 40 <= len(s) <= 300]
    return families, bodies, pool


def _edit_words(text: str, rng: random.Random) -> str:
    tokens = text.split(" ")
    out = []
    for token in tokens:
        roll = rng.random()
        if roll < 0.02:
            continue  # a word dropped
        if token.isascii() and token.isdigit() and roll < 0.5:
            token = str(int(token) + rng.randint(1, 9))  # a number changed
        elif roll > 0.985:
            token = rng.choice(("said", "reported", "noted", "added", "the"))
        out.append(token)
    return " ".join(out)


def stream(
    size: int, seed: int = 1, copy_share: float = 0.4, per_day: int = 1000
) -> Iterator[Item]:
    """``size`` items, about ``copy_share`` of them copies, in publication order."""
    rng = random.Random(seed)
    families, bodies, pool = _sources()
    rng.shuffle(families)
    rng.shuffle(bodies)
    start = date(2024, 1, 1)
    # recent originals a copy may be made from: (id, text, lang, wmt21 family rows)
    recent: list[tuple[str, str, str, list[dict[str, str]]]] = []
    used_translations: dict[str, set[int]] = defaultdict(set)
    composite = 0
    for n in range(size):
        day = (start + timedelta(days=n // per_day)).isoformat()
        item_id = f"n{n:07d}"
        if recent and rng.random() < copy_share:
            original, text, lang, rows = rng.choice(recent)
            kind = rng.choice(EDITS)
            sentences = _split(text)
            if kind == "translation":
                free = [i for i in range(1, len(rows)) if i not in used_translations[original]]
                if free:
                    pick = rng.choice(free)
                    used_translations[original].add(pick)
                    yield Item(item_id, rows[pick]["text"], rows[pick]["lang"], day, original, kind)
                    continue
                kind = "edit"
            if kind == "exact":
                out = text
            elif kind == "boilerplate":
                out = rng.choice(_CREDITS) + text + "\n" + "\n".join(rng.sample(_FOOTERS, 2))
            elif kind == "trim" and len(sentences) > 6:
                out = " ".join(sentences[: len(sentences) - rng.randint(1, 3)])
            elif kind == "append":
                out = text + "\n" + " ".join(rng.sample(pool, 2))
            else:
                kind, out = "edit", _edit_words(text, rng)
            yield Item(item_id, out, lang, day, original, kind)
            continue
        if families:
            rows = families.pop()
            text, lang = rows[0]["text"], rows[0]["lang"]
        elif bodies:
            rows, text, lang = [], bodies.pop(), "en"
        else:
            composite += 1
            rows, text, lang = [], " ".join(rng.sample(pool, rng.randint(6, 12))), "en"
        recent.append((item_id, text, lang, rows))
        del recent[: -2 * per_day]  # copies follow their original within about two days
        yield Item(item_id, text, lang, day, item_id, "original")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--copy-share", type=float, default=0.4)
    parser.add_argument("--per-day", type=int, default=1000)
    args = parser.parse_args()
    for item in stream(args.size, args.seed, args.copy_share, args.per_day):
        sys.stdout.write(item.as_json() + "\n")


if __name__ == "__main__":
    main()
