"""MinHash signatures + LSH: storyfold (rensa, band keys) against datasketch's
MinHashLSH doing the same job on the same texts in the same run.

The job: for each text of a synthetic stream (bench/synth_stream.py), make its
MinHash signature over word 3-grams (128 permutations), insert it in an LSH
index for Jaccard 0.5, and query the index for candidates.  Both sides get the
same shingle sets (shingling is timed apart, it is common to both), the same
num_perm and the same banding (32 bands x 4 rows, storyfold's setting; also
datasketch with the bands it picks itself for threshold 0.5).  storyfold is
timed with its band keys in a dict (the job datasketch does, in memory) and in
its SQLite store's ``lsh_bands`` table (what an ingest pays).

    .venv/bin/python bench/copies_lsh.py [--size 20000] [--write]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from datasketch import MinHash, MinHashLSH
from synth_stream import stream

from storyfold.config import Settings
from storyfold.represent.minhash import band_keys, signatures
from storyfold.represent.text import shingles
from storyfold.store.sqlite import Store

from common import write_section


def storyfold_dict(sets: list[set[str]], s: Settings) -> tuple[float, int]:
    t0 = time.perf_counter()
    sigs = signatures(sets, s.num_perm, s.minhash_seed)
    index: dict[str, list[int]] = defaultdict(list)
    found = 0
    for n, sig in enumerate(sigs):
        keys = band_keys(sig, s.lsh_bands)
        hits = {i for k in keys for i in index.get(k, ())}
        found += len(hits)
        for k in keys:
            index[k].append(n)
    return time.perf_counter() - t0, found


def storyfold_sqlite(sets: list[set[str]], s: Settings) -> tuple[float, int]:
    """Signatures, then band keys inserted into and looked up in the store's
    ``lsh_bands`` table, in batches of ``batch_size`` per transaction."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "lsh.db")
        db = store._db  # the table itself, without the rest of an article's row
        db.execute("PRAGMA foreign_keys=OFF")
        t0 = time.perf_counter()
        sigs = signatures(sets, s.num_perm, s.minhash_seed)
        found = 0
        for start in range(0, len(sigs), s.batch_size):
            with store.transaction():
                for n in range(start, min(start + s.batch_size, len(sigs))):
                    keys = band_keys(sigs[n], s.lsh_bands)
                    found += len(store.ids_with_band_keys(keys))
                    db.executemany(
                        "INSERT OR IGNORE INTO lsh_bands (key, article) VALUES (?, ?)",
                        [(k, str(n)) for k in keys],
                    )
        seconds = time.perf_counter() - t0
        store.close()
    return seconds, found


def datasketch(
    sets: list[set[str]], s: Settings, params: tuple[int, int] | None
) -> tuple[float, int, tuple[int, int]]:
    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=s.near_threshold, num_perm=s.num_perm, params=params)
    found = 0
    for n, shingle_set in enumerate(sets):
        m = MinHash(num_perm=s.num_perm, seed=s.minhash_seed)
        m.update_batch([x.encode("utf-8") for x in shingle_set])
        found += len(lsh.query(m))
        lsh.insert(str(n), m)
    return time.perf_counter() - t0, found, (lsh.b, lsh.r)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    s = Settings()
    texts = [item.text for item in stream(args.size, args.seed)]
    t0 = time.perf_counter()
    sets = [shingles(t, s.shingle_size) for t in texts]
    shingling = time.perf_counter() - t0
    ours, ours_found = storyfold_dict(sets, s)
    ours_db, db_found = storyfold_sqlite(sets, s)
    theirs, theirs_found, _ = datasketch(sets, s, (s.lsh_bands, s.num_perm // s.lsh_bands))
    auto, auto_found, auto_params = datasketch(sets, s, None)
    n = len(texts)
    rows = [
        ("storyfold: rensa + band keys in a dict", ours, ours_found),
        ("storyfold: rensa + band keys in SQLite `lsh_bands`", ours_db, db_found),
        (
            f"datasketch MinHashLSH, {s.lsh_bands}x{s.num_perm // s.lsh_bands} bands",
            theirs,
            theirs_found,
        ),
        (
            f"datasketch MinHashLSH, its own bands {auto_params[0]}x{auto_params[1]}",
            auto,
            auto_found,
        ),
    ]
    load = os.getloadavg()
    lines = [
        "## Copies: MinHash signatures + LSH, storyfold vs datasketch",
        "",
        f"{n:,} texts of `bench/synth_stream.py --size {args.size} --seed {args.seed}`, word 3-grams, "
        f"num_perm {s.num_perm}, Jaccard threshold {s.near_threshold}; each text inserted and "
        f"queried (candidates before it). Shingling ({shingling:.1f} s, "
        f"{n / shingling:,.0f} texts/s) is common to both and not counted. One process; "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on 2 cores.",
        "",
        "| method | s | texts/s | candidate hits | datasketch (same bands) / this |",
        "|---|---|---|---|---|",
    ]
    for name, seconds, found in rows:
        lines.append(
            f"| {name} | {seconds:.2f} | {n / seconds:,.0f} | {found:,} | **{theirs / seconds:.1f}x** |"
        )
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section("copies-lsh", report)


if __name__ == "__main__":
    main()
