"""The batch pipeline on a real Dask LocalCluster (worker processes) against the
local ingest: same ids, stories and copy links, whatever the partitioning; a
worker killed mid-run; a batch that cannot finish leaves the store as it was.

Small on purpose (the seeds and two ECB+ dev topics with copies made from
them); the full ECB+ dev comparison is marked slow.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import cloudpickle
import dask
import pytest
from distributed import Client, LocalCluster

from storyfold import Engine
from storyfold.batch import BatchError, BatchOptions, run_batch
from storyfold.clean.text import RuleTextCleaner
from storyfold.config import Settings
from storyfold.evaluate import ari
from storyfold.records import Cleaned
from tests.conftest import DATA, SEEDS

ECB = DATA / "stories" / "ecbplus-dev.jsonl"

# Workers unpickle the poisoned cleaner below from its value, not by importing this module.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _cluster(workers: int = 2) -> LocalCluster:
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with _cluster() as cluster, Client(cluster) as c:
        yield c


def _small_set(folder: Path, dated: bool) -> list[Path]:
    """One ECB+ dev topic (2 events, 20 articles), with an exact copy, a near
    copy published before its original (so the family's original changes), and
    the seeds when undated."""
    rows = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["topic"] == "3"]
    out = []
    for n, row in enumerate(rows):
        item = {"id": row["id"], "text": row["text"], "source": row["source"]}
        if dated:
            # half in January, half in June: a gap no story crosses
            month = 1 if n % 2 else 6
            item["published"] = f"2021-{month:02d}-{1 + n % 5:02d}"
        out.append(item)
    first = out[0]
    exact = {**first, "id": "copy-exact"}
    words = first["text"].split(" ")
    near = {**first, "id": "copy-near", "text": " ".join([*words[:-3], "(Reuters)"])}
    if dated:
        near["published"] = "2020-12-31"
    out[5:5] = [exact]
    out.append(near)
    path = folder / "small.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    return [SEEDS, path] if not dated else [path]


def _rows(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as con:
        return con.execute(
            "SELECT seq, id, story, copy_of, copy_kind, copy_score FROM articles ORDER BY seq"
        ).fetchall()


def _local(tmp: Path, inputs: list[Path], name: str) -> list[tuple[object, ...]]:
    with Engine.open(tmp / f"{name}.db") as engine:
        report = engine.ingest_paths(inputs)
        assert not report.skipped
    return _rows(tmp / f"{name}.db")


def _batch(
    client: Client, db: Path, inputs: list[Path], options: BatchOptions, **kw: object
) -> list[tuple[object, ...]]:
    settings = Settings()
    with Engine.open(db, settings=settings) as engine:
        run_batch(engine, inputs, client, partial(Engine, settings=settings), options, **kw)  # type: ignore[arg-type]
    return _rows(db)


def _links(rows: list[tuple[object, ...]]) -> set[tuple[object, ...]]:
    return {(r[1], r[3], r[4], r[5]) for r in rows if r[3] is not None}


@pytest.fixture(scope="module")
def undated(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[Path], list[tuple[object, ...]]]:
    tmp = tmp_path_factory.mktemp("undated")
    inputs = _small_set(tmp, dated=False)
    return inputs, _local(tmp, inputs, "local")


def test_batch_equals_local_ingest_whatever_the_partitioning(
    client: Client, undated: tuple[list[Path], list[tuple[object, ...]]], tmp_path: Path
) -> None:
    inputs, local = undated
    assert len(_links(local)) >= 3  # the seeds' rewrite, the exact and the near copy
    for parts in (1, 3, 7):
        rows = _batch(
            client, tmp_path / f"b{parts}.db", inputs, BatchOptions(partitions=parts, digests=False)
        )
        assert [r[:2] for r in rows] == [r[:2] for r in local]  # same ids in the same order
        assert [r[2] for r in rows] == [r[2] for r in local]  # the same story ids
        assert _links(rows) == _links(local)


def test_batch_store_serves_the_other_commands(
    client: Client, undated: tuple[list[Path], list[tuple[object, ...]]], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from storyfold.cli import app

    inputs, local = undated
    db = tmp_path / "b.db"
    rows = _batch(client, db, inputs, BatchOptions(partitions=2))
    assert [r[2] for r in rows] == [r[2] for r in local]
    runner = CliRunner()
    listed = runner.invoke(app, ["stories", "--db", str(db), "--ids"])
    assert listed.exit_code == 0
    stories = listed.output.split()
    assert sorted(stories) == sorted({str(r[2]) for r in local})
    shown = runner.invoke(app, ["show", "--db", str(db), stories[0], "--format", "json"])
    assert shown.exit_code == 0 and json.loads(shown.output)
    copies = runner.invoke(app, ["copies", "--db", str(db)])
    assert copies.exit_code == 0 and "copy-near" in copies.output
    exported = runner.invoke(app, ["export", "--db", str(db), "--what", "stories"])
    assert exported.exit_code == 0 and len(exported.output.splitlines()) == len(stories)


def test_dated_input_matches_the_local_ingest(client: Client, tmp_path: Path) -> None:
    inputs = _small_set(tmp_path, dated=True)
    local = _local(tmp_path, inputs, "local")
    links = _links(local)
    # the near copy, published first, became its family's original
    assert any(link[0] == "copy-exact" and link[1] == "copy-near" for link in links)
    db = tmp_path / "dated.db"
    with Engine.open(db) as engine:
        run_batch(
            engine,
            inputs,
            client,
            partial(Engine, settings=Settings()),
            BatchOptions(partitions=3, digests=False),
        )
    rows = _rows(db)
    assert [r[2] for r in rows] == [r[2] for r in local]
    assert _links(rows) == links


def test_a_worker_killed_mid_run_is_survived(
    client: Client, undated: tuple[list[Path], list[tuple[object, ...]]], tmp_path: Path
) -> None:
    inputs, local = undated
    before = set(client.scheduler_info()["workers"])
    killed: list[str] = []

    def kill_one(stage: str, c: Client) -> None:
        if stage == "represent" and not killed:
            victim = sorted(c.scheduler_info()["workers"])[0]
            killed.append(victim)
            pid = c.run(os.getpid, workers=[victim])[victim]
            os.kill(pid, signal.SIGKILL)

    rows = _batch(
        client,
        tmp_path / "killed.db",
        inputs,
        BatchOptions(partitions=6, digests=False),
        on_stage=kill_one,
    )
    assert killed and killed[0] in before
    assert [r[2] for r in rows] == [r[2] for r in local]
    assert _links(rows) == _links(local)
    client.wait_for_workers(2, timeout=120)


class PoisonedCleaner(RuleTextCleaner):
    """Kills the worker process that cleans a text holding POISON."""

    def clean(self, text: str) -> Cleaned:
        if "POISON" in text:
            os._exit(1)
        return super().clean(text)


def _poisoned_engine(store: object) -> Engine:
    return Engine(store, settings=Settings(), text_cleaner=PoisonedCleaner())  # type: ignore[arg-type]


def test_a_batch_that_cannot_finish_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    with Engine.open(db) as engine:
        engine.ingest_paths([SEEDS / "000_a61859e1349bc34b.txt"])
    before = db.read_bytes(), _rows(db)
    bad = tmp_path / "in.jsonl"
    bad.write_text(json.dumps({"id": "x", "text": "POISON " * 50}) + "\n", encoding="utf-8")
    other = tmp_path / "new.db"
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        _cluster(1) as cluster,
        Client(cluster) as c,
    ):
        # a store that holds articles is refused, and left alone
        with Engine.open(db) as engine, pytest.raises(BatchError, match="already holds 1"):
            run_batch(engine, [SEEDS], c, _poisoned_engine)
        with Engine.open(other) as engine, pytest.raises(BatchError, match="wrote nothing"):
            run_batch(engine, [SEEDS, bad], c, _poisoned_engine, BatchOptions(digests=False))
    assert _rows(db) == before[1]
    assert _rows(other) == []


@pytest.mark.slow
def test_ecb_dev_and_seeds_batch_equals_local_ingest(client: Client, tmp_path: Path) -> None:
    inputs = [SEEDS, ECB]
    local = _local(tmp_path, inputs, "local")
    rows = _batch(client, tmp_path / "batch.db", inputs, BatchOptions(partitions=8))
    assert [r[:2] for r in rows] == [r[:2] for r in local]
    assert ari([str(r[2]) for r in local], [str(r[2]) for r in rows]) >= 0.99
    assert _links(rows) == _links(local)


def test_lead_ranking_keeps_to_the_copy_window() -> None:
    """The batch ranks lead candidates among articles dated within the copy
    window, as the store's lead index does: an identical lead 100 days away
    does not take the place of a nearer-dated one."""
    import numpy as np

    from storyfold.batch.tasks import rank_block

    rows = np.array([[1.0, 0.0], [0.6, 0.8], [1.0, 0.0]], dtype=np.float32)
    days = np.array([0, 99, 100], dtype=np.int64)
    leads = (0, rows, days)
    ranked = rank_block(leads, leads, keep=2, window=30)
    assert ranked[2] == [(1.0, 2), (pytest.approx(0.6), 1)]
    assert [idx for _, idx in rank_block(leads, leads, keep=2, window=1000)[2]] == [0, 2]


def test_partitions_far_apart_in_time_are_not_ranked_against_each_other() -> None:
    """Lead ranking skips pairs of partitions whose day spans lie more than the
    copy window apart (every pair in them would be masked), and keeps the rest,
    each partition with itself."""
    import numpy as np

    from storyfold.batch.tasks import blocks_to_rank, day_span

    assert day_span((0, np.zeros((0, 2), np.float32), np.zeros(0, np.int64))) is None
    assert day_span((0, np.zeros((3, 2), np.float32), np.array([5, 2, 9]))) == (2, 9)
    spans = [(0, 10), (11, 40), (200, 210), None, (230, 260), (5, 300)]
    assert blocks_to_rank(spans, 30) == [[0], [0, 1], [2], [3], [2, 4], [0, 1, 2, 4, 5]]
    # a window wide enough for everything ranks every earlier partition
    assert blocks_to_rank(spans[:3], 1000) == [[0], [0, 1], [0, 1, 2]]


def _windowed_set(folder: Path) -> list[Path]:
    """ECB+ dev topics 1-6 in file order (147 articles), with an exact copy of
    the first article at the end, two windows and more away from it, and a near
    copy of the 70th after it."""
    rows = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines()]
    out = [{"id": r["id"], "text": r["text"]} for r in rows if int(r["topic"]) <= 6]
    words = out[70]["text"].split(" ")
    out.insert(90, {"id": "copy-near", "text": " ".join([*words[:-3], "(Reuters)"])})
    out.append({**out[0], "id": "copy-exact"})
    path = folder / "windowed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    return [path]


def test_stories_per_window_stitched_at_the_seams(client: Client, tmp_path: Path) -> None:
    """Windows of 64 articles folded in parallel, each with a lead-in of 64:
    the same result whatever the partitioning, the local ingest's copy links,
    copies in their original's story (the exact copy's original is two windows
    back), sums that hold each story's originals, and stories close to the
    local ingest's."""
    inputs = _windowed_set(tmp_path)
    local = _local(tmp_path, inputs, "local")
    options = BatchOptions(digests=False, story_window=64, story_lead_in=64)
    stages: list[str] = []
    runs = [
        _batch(
            client,
            tmp_path / f"w{parts}.db",
            inputs,
            replace(options, partitions=parts),
            on_stage=lambda stage, c: stages.append(stage),
        )
        for parts in (2, 5)
    ]
    assert "stories" in stages  # the window stage ran (three windows)
    assert runs[0] == runs[1]
    rows = runs[0]
    assert [r[:2] for r in rows] == [r[:2] for r in local]
    assert _links(rows) == _links(local)
    story = {str(r[1]): r[2] for r in rows}
    assert story["copy-exact"] == story[str(rows[0][1])]
    assert all(story[str(r[1])] == story[str(r[3])] for r in rows if r[3] is not None)
    assert ari([str(r[2]) for r in local], [str(r[2]) for r in rows]) >= 0.9
    with Engine.open(tmp_path / "w2.db") as engine:
        originals: dict[str, int] = {}
        for r in rows:
            if r[3] is None:
                originals[str(r[2])] = originals.get(str(r[2]), 0) + 1
        assert {s.id: s.size for s in engine.store.story_states().values()} == originals


def test_stitching_keeps_a_story_running_across_a_seam() -> None:
    from storyfold.batch.tasks import WindowStories, stitch
    from storyfold.records import Assignment

    def a(idx: int, story: str) -> Assignment:
        return Assignment(f"a{idx}", story, 1.0, False)

    first = WindowStories(0, {0: a(0, "sA"), 1: a(1, "sA"), 2: a(2, "sB"), 3: a(3, "sB")}, [])
    # the second window re-folded 2 and 3 (its lead-in) into one story "sX" with
    # its own 4, opened "sY" with 5, and reused the first window's id "sA" for 6
    second = WindowStories(
        4,
        {2: a(2, "sX"), 3: a(3, "sX"), 4: a(4, "sX"), 5: a(5, "sY"), 6: a(6, "sA")},
        [("split", "sY", "sX", 1.5, 1)],
    )
    final, changes = stitch([first, second])
    assert {k: v.story for k, v in final.items()} == {
        "a0": "sA",
        "a1": "sA",
        "a2": "sB",
        "a3": "sB",
        "a4": "sB",  # the seam story keeps its id
        "a5": "sY",
        "a6": final["a6"].story,
    }
    assert final["a6"].story not in {"sA", "sB", "sY"}  # no clash with the first window's
    assert changes == [("split", "sY", "sB", 1.5, 1)]
    # a lead-in that was in two earlier stories: the story most of it was in
    before = WindowStories(0, {0: a(0, "sP"), 1: a(1, "sQ"), 2: a(2, "sQ")}, [])
    after = WindowStories(3, {0: a(0, "sZ"), 1: a(1, "sZ"), 2: a(2, "sZ"), 3: a(3, "sZ")}, [])
    final, _ = stitch([before, after])
    assert [final[f"a{i}"].story for i in range(4)] == ["sP", "sQ", "sQ", "sQ"]
