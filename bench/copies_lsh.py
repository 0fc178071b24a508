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

The shingle sets are built first and frozen out of the garbage collector's
sight (``gc.freeze``).  Timed in CPU seconds of the process
(``time.process_time``: rensa's threads included), each method ``--repeat``
times in interleaved rounds, the median kept: on 2 cores shared with other jobs, wall time says more about the other
jobs than about the code (one method's run can meet a quiet minute and the next
a busy one).  Wall-clock medians are reported beside them.

    .venv/bin/python bench/copies_lsh.py [--size 20000] [--repeat 3] [--write]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from datasketch import MinHash, MinHashLSH
from synth_stream import stream

from storyfold.config import Settings
from storyfold.represent.minhash import band_keys, signatures
from storyfold.represent.text import shingles
from storyfold.store.sqlite import Store

from common import write_section

Timed = tuple[float, float, int]
"""CPU seconds, wall seconds, candidate hits."""


def storyfold_dict(sets: list[set[str]], s: Settings) -> Timed:
    c0, t0 = time.process_time(), time.perf_counter()
    sigs = signatures(sets, s.num_perm, s.minhash_seed)
    index: dict[str, list[int]] = defaultdict(list)
    found = 0
    for n, sig in enumerate(sigs):
        keys = band_keys(sig, s.lsh_bands)
        hits = {i for k in keys for i in index.get(k, ())}
        found += len(hits)
        for k in keys:
            index[k].append(n)
    return time.process_time() - c0, time.perf_counter() - t0, found


def storyfold_sqlite(sets: list[set[str]], s: Settings) -> Timed:
    """Signatures, then band keys inserted into and looked up in the store's
    ``lsh_bands`` table, in batches of ``batch_size`` per transaction."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "lsh.db")
        db = store._db  # the table itself, without the rest of an article's row
        db.execute("PRAGMA foreign_keys=OFF")
        c0, t0 = time.process_time(), time.perf_counter()
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
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        store.close()
    return cpu, wall, found


def datasketch(sets: list[set[str]], s: Settings, params: tuple[int, int] | None) -> Timed:
    c0, t0 = time.process_time(), time.perf_counter()
    lsh = MinHashLSH(threshold=s.near_threshold, num_perm=s.num_perm, params=params)
    found = 0
    for n, shingle_set in enumerate(sets):
        m = MinHash(num_perm=s.num_perm, seed=s.minhash_seed)
        m.update_batch([x.encode("utf-8") for x in shingle_set])
        found += len(lsh.query(m))
        lsh.insert(str(n), m)
    return time.process_time() - c0, time.perf_counter() - t0, found


def auto_bands(s: Settings) -> tuple[int, int]:
    """The bands datasketch picks itself for the threshold."""
    lsh = MinHashLSH(threshold=s.near_threshold, num_perm=s.num_perm)
    return lsh.b, lsh.r


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    s = Settings()
    texts = [item.text for item in stream(args.size, args.seed)]
    t0 = time.perf_counter()
    sets = [shingles(t, s.shingle_size) for t in texts]
    shingling = time.perf_counter() - t0
    # The shingle sets are the common input, held for the whole run (an ingest
    # holds one batch's at a time): out of the collector's sight, so that its
    # full passes do not walk their millions of entries inside whichever method
    # runs (that cost either side 0.1-0.4 CPU s per run).
    gc.freeze()
    same = (s.lsh_bands, s.num_perm // s.lsh_bands)
    auto = auto_bands(s)
    methods: list[tuple[str, Callable[[], Timed]]] = [
        ("storyfold: rensa + band keys in a dict", lambda: storyfold_dict(sets, s)),
        (
            "storyfold: rensa + band keys in SQLite `lsh_bands`",
            lambda: storyfold_sqlite(sets, s),
        ),
        (f"datasketch MinHashLSH, {same[0]}x{same[1]} bands", lambda: datasketch(sets, s, same)),
        (
            f"datasketch MinHashLSH, its own bands {auto[0]}x{auto[1]}",
            lambda: datasketch(sets, s, None),
        ),
    ]
    runs: dict[str, list[Timed]] = {name: [] for name, _ in methods}
    for _ in range(args.repeat):
        for name, method in methods:
            runs[name].append(method())
    rows = [
        (
            name,
            statistics.median(r[0] for r in timed),
            statistics.median(r[1] for r in timed),
            timed[0][2],
        )
        for name, timed in runs.items()
    ]
    theirs_cpu, theirs_wall = rows[2][1], rows[2][2]
    n = len(texts)
    load = os.getloadavg()
    lines = [
        "## Copies: MinHash signatures + LSH, storyfold vs datasketch",
        "",
        f"{n:,} texts of `bench/synth_stream.py --size {args.size} --seed {args.seed}`, word 3-grams, "
        f"num_perm {s.num_perm}, Jaccard threshold {s.near_threshold}; each text inserted and "
        f"queried (candidates before it). Shingling ({shingling:.1f} s, "
        f"{n / shingling:,.0f} texts/s) is common to both and not counted. One process; "
        f"each method run {args.repeat} times in interleaved rounds, medians; CPU seconds "
        f"of the process (rensa's threads included), wall seconds beside them. Load average "
        f"at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on 2 cores.",
        "",
        "| method | CPU s | texts per CPU s | wall s | candidate hits "
        "| datasketch (same bands) / this, CPU | same, wall |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, cpu, wall, found in rows:
        lines.append(
            f"| {name} | {cpu:.2f} | {n / cpu:,.0f} | {wall:.2f} | {found:,} "
            f"| **{theirs_cpu / cpu:.1f}x** | {theirs_wall / wall:.1f}x |"
        )
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section("copies-lsh", report)


if __name__ == "__main__":
    main()
