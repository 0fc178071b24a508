"""The batch pipeline: the local ingest's stages, mapped, shuffled and reduced on Dask.

1. read the inputs (on the client), in arrival order;
2. clean on workers, partition by partition; the engine's own admission rules
   (empty bodies, ids seen twice) run on the client over the results;
3. represent on workers, in the local ingest's batches, so vectors match;
4. shuffle content hashes and MinHash LSH band keys: each partition splits its
   keys into buckets, one reducer per bucket groups them and routes each pair
   of articles sharing a key to the later article's partition;
5. rank each article's nearest earlier articles by lead embedding, one task per
   pair of partitions (a blocked all-pairs product), merged per partition;
6. confirm with the copy finder's ``find`` over each article's candidates
   (:class:`~storyfold.batch.index.CandidateIndex`): the link the local path
   would find against the store;
7. copy families: a copy follows its family's first article's story; the
   other articles are assigned per time window in parallel and merged at
   forced seams (:mod:`storyfold.batch.windows`);
8. make the digester's per-article extracts on the workers, then write
   everything in one transaction through the engine (copy links with its
   original rule), marking every story's digest stale;
9. after the commit, the engine's own ``refresh_digests`` writes the digests
   and related stories.

Nothing is written before step 8, and step 8 commits whole or not at all: a
batch that fails before it leaves the store as it was (one that fails in step
9 leaves digests marked stale, which the next ingest writes).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from distributed import Client, Future, LocalCluster

from storyfold.batch import tasks
from storyfold.batch.tasks import EngineFactory, EngineOnWorker, Record
from storyfold.batch.windows import Window, merge_seam, windows
from storyfold.engine import Engine, IngestReport
from storyfold.errors import StoryfoldError
from storyfold.readers import Fetcher, read_inputs
from storyfold.records import Article, Assignment, CopyLink, RawArticle
from storyfold.store.sqlite import StoryState

Stage = Callable[[str, Client], None]
"""Called with each stage's name once its tasks are submitted (for tests and
progress)."""


class BatchError(StoryfoldError):
    """The batch could not finish; the store is as it was before it."""


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How the batch is cut up; none of these changes its result.

    ``partitions``: input partitions (None: 4 per worker);
    ``buckets``: shuffle reducers (None: one per partition);
    ``nearest``: how many nearest earlier articles are kept per article (the
    copy finder asks for its candidates + 1);
    ``max_window``: articles per story window before a forced seam (this one
    can change stories a little: see :mod:`storyfold.batch.windows`);
    ``digests``: write a digest per story (``show`` needs them).
    """

    partitions: int | None = None
    buckets: int | None = None
    nearest: int = 11
    max_window: int = 50_000
    digests: bool = True


@dataclass(slots=True)
class BatchReport(IngestReport):
    """An ingest report, and how the work was cut up and what each stage took."""

    partitions: int = 0
    windows: int = 0
    forced_seams: int = 0
    merged_at_seams: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@contextmanager
def connect(scheduler: str) -> Iterator[Client]:
    """A client for ``local:N`` (a new cluster of N worker processes on this
    machine, one thread each) or ``tcp://HOST:PORT`` (a running scheduler)."""
    if scheduler.startswith("local:"):
        try:
            workers = int(scheduler.removeprefix("local:"))
        except ValueError:
            workers = 0
        if workers < 1:
            raise BatchError(f"bad scheduler {scheduler!r}: say local:N with N >= 1 workers")
        with (
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            ) as cluster,
            Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            yield client
    elif scheduler.startswith("tcp://"):
        try:
            client = Client(scheduler, timeout=30)  # type: ignore[no-untyped-call]
        except OSError as exc:
            raise BatchError(
                f"no Dask scheduler answers at {scheduler} ({exc}); start one with "
                f"`dask scheduler` and workers with `dask worker {scheduler}`"
            ) from exc
        with client:
            yield client
    else:
        raise BatchError(f"bad scheduler {scheduler!r}: say local:N or tcp://HOST:PORT")


def run_batch(
    engine: Engine,
    inputs: Iterable[str | Path],
    client: Client,
    factory: EngineFactory,
    options: BatchOptions | None = None,
    on_stage: Stage | None = None,
) -> BatchReport:
    """Folds ``inputs`` into ``engine``'s store (which must hold no articles).

    ``factory`` builds the same engine's stages on each worker (it gets a store
    to hold); it must be picklable, e.g. ``functools.partial(Engine,
    settings=settings)``.
    """
    options = options or BatchOptions()
    count = engine.store.count_articles()
    if count:
        raise BatchError(
            f"{engine.store.path} already holds {count} articles; batch writes a new or "
            f"empty store (add to this one with `storyfold ingest`)"
        )
    client.register_plugin(EngineOnWorker(factory), name=tasks.PLUGIN)
    run = _Run(engine, client, options, on_stage or (lambda name, c: None))
    try:
        with warnings.catch_warnings():
            # The articles go in with the tasks on purpose (see _Run._clean).
            warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
            return run.all(inputs)
    except StoryfoldError:
        raise
    except Exception as exc:
        raise BatchError(
            f"the batch stopped and wrote nothing ({type(exc).__name__}: {exc}); the store "
            f"is as it was: fix the cause or give the cluster more memory, then run it again"
        ) from exc


class _Run:
    def __init__(self, engine: Engine, client: Client, options: BatchOptions, on_stage: Stage):
        self.engine = engine
        self.client = client
        self.options = options
        self.on_stage = on_stage
        self.report = BatchReport()
        self._clock = time.perf_counter()

    def _lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.seconds[stage] = round(now - self._clock, 3)
        self._clock = now

    def _submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self.client.submit(fn, *args, pure=False)

    def _gather(self, futures: Any) -> Any:
        return self.client.gather(futures)  # type: ignore[no-untyped-call]

    def all(self, inputs: Iterable[str | Path]) -> BatchReport:
        settings = self.engine.settings
        items = list(read_inputs(inputs, settings.max_input_bytes, fetcher=Fetcher(settings)))
        raws = [i for i in items if isinstance(i, RawArticle)]
        workers = max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))
        parts = self.options.partitions or 4 * workers
        self.report.partitions = parts
        self._lap("read")

        articles = self._clean(raws, parts, items)
        records = self._represent(articles, parts)
        links = self._copies(records)
        assignments, states = self._stories(records, links)
        self._write(links, assignments, states)
        return self.report

    # --- map stages ----------------------------------------------------------
    def _clean(self, raws: list[RawArticle], parts: int, items: list[Any]) -> list[Article]:
        size = max(1, -(-len(raws) // parts))
        chunks = [raws[i : i + size] for i in range(0, len(raws), size)]
        # Data goes in with the tasks, not scattered: a task lost with its worker
        # can then run again elsewhere.
        futures = [self._submit(tasks.clean, chunk) for chunk in chunks]
        self.on_stage("clean", self.client)
        cleaned = iter([a for part in self._gather(futures) for a in part])

        def precleaned(raw: RawArticle) -> Article:
            article: Article = next(cleaned)
            assert article.id == raw.id, "cleaned articles come back in input order"
            return article

        kept = list(self.engine._cleaned(items, self.report, clean=precleaned))
        self._lap("clean")
        return kept

    def _represent(self, articles: list[Article], parts: int) -> list[Future[Any]]:
        chunk = self.engine.settings.batch_size
        chunks = -(-len(articles) // chunk)
        per_part = max(1, -(-chunks // parts)) * chunk
        self.bounds = list(range(0, len(articles), per_part)) or [0]
        slices = [articles[b : b + per_part] for b in self.bounds]
        futures = [
            self._submit(tasks.represent, start, part, chunk)
            for start, part in zip(self.bounds, slices, strict=True)
        ]
        self.on_stage("represent", self.client)
        self._gather(futures)  # fail here, with this stage's name, if it fails
        self._lap("represent")
        return futures

    # --- copies ----------------------------------------------------------------
    def _copies(self, parts: list[Future[Any]]) -> dict[int, CopyLink]:
        n = len(parts)
        buckets = self.options.buckets or n
        keep = self.options.nearest
        emitted = [self._submit(tasks.emit_keys, p, buckets) for p in parts]
        reducers = [
            self._submit(
                tasks.group_keys, self.bounds, *(self._submit(tasks.pick, e, r) for e in emitted)
            )
            for r in range(buckets)
        ]
        candidates = [
            self._submit(
                tasks.gather_candidates, *(self._submit(tasks.pick, r, q) for r in reducers)
            )
            for q in range(n)
        ]
        self.on_stage("shuffle", self.client)
        self._gather(candidates)
        self._lap("shuffle")

        leads = [self._submit(tasks.leads, p) for p in parts]
        ranks = [
            self._submit(
                tasks.merge_ranks,
                keep,
                *(self._submit(tasks.rank_block, leads[q], leads[j], keep) for j in range(q + 1)),
            )
            for q in range(n)
        ]
        self.on_stage("nearest", self.client)
        self._gather(ranks)
        self._lap("nearest")

        confirmed = [
            self._submit(
                tasks.confirm,
                parts[q],
                candidates[q],
                ranks[q],
                keep,
                *(self._submit(tasks.select, parts[j], candidates[q], ranks[q]) for j in range(q)),
            )
            for q in range(n)
        ]
        self.on_stage("confirm", self.client)
        links = {
            idx: link for part in self._gather(confirmed) for idx, link in part if link is not None
        }
        self._lap("confirm")
        return links

    # --- stories ---------------------------------------------------------------
    def _stories(
        self, parts: list[Future[Any]], links: dict[int, CopyLink]
    ) -> tuple[dict[int, Assignment], dict[str, StoryState]]:
        self.records: dict[int, Record] = {
            r.idx: r for part in self._gather(parts) for r in cast(list[Record], part)
        }
        settings = self.engine.settings
        originals = [r for idx, r in sorted(self.records.items()) if idx not in links]
        cut = windows(originals, settings.story_window_days, self.options.max_window)
        self.report.windows = len(cut)
        self.report.forced_seams = sum(w.forced for w in cut)
        results = [
            self._submit(tasks.assign_window, [self.records[i] for i in w.members]) for w in cut
        ]
        self.on_stage("stories", self.client)
        done = self._gather(results)
        assignments: dict[int, Assignment] = {}
        per_window: list[dict[str, StoryState]] = []
        for window, (assigned, states) in zip(cut, done, strict=True):
            assignments.update(zip(window.members, assigned, strict=True))
            per_window.append(states)
        self._lap("stories")
        self.report.merged_at_seams = self._merge(cut, per_window, assignments)
        states = {sid: s for window_states in per_window for sid, s in window_states.items()}
        self._lap("merge")
        return assignments, states

    def _merge(
        self,
        cut: list[Window],
        per_window: list[dict[str, StoryState]],
        assignments: dict[int, Assignment],
    ) -> int:
        merged = 0
        for w in range(1, len(cut)):
            if cut[w].forced:
                merged += merge_seam(
                    self.engine.assigner,
                    self.records,
                    per_window[w - 1],
                    per_window[w],
                    assignments,
                    cut[w],
                )
        return merged

    # --- write -----------------------------------------------------------------
    def _extracts(self) -> list[Any]:
        """What the digests read of each article, made on the workers in the
        ingest's batches."""
        chunk = self.engine.settings.batch_size
        ordered = [self.records[i] for i in sorted(self.records)]
        futures = [
            self._submit(tasks.extract, ordered[at : at + chunk])
            for at in range(0, len(ordered), chunk)
        ]
        self.on_stage("extract", self.client)
        return [e for part in self._gather(futures) for e in part]

    def _write(
        self,
        links: dict[int, CopyLink],
        assignments: dict[int, Assignment],
        states: dict[str, StoryState],
    ) -> None:
        engine, store = self.engine, self.engine.store
        extracts = self._extracts() if self.options.digests else []
        with store.transaction():
            for idx in sorted(self.records):
                record = self.records[idx]
                seq = store.put_article(record.article, record.rep, record.band_keys)
                if seq != record.article.seen:
                    raise BatchError(
                        f"{store.path} gave article {record.article.id} place {seq}, not "
                        f"{record.article.seen}; batch needs a store that never held articles"
                    )
                link = links.get(idx)
                if link is not None:
                    assignment = engine._follow(record.article, link)
                    self.report.copies += 1
                else:
                    assignment = assignments[idx]
                    self.report.stories_opened += assignment.opened
                store.set_story(assignment)
            for sid in sorted(states, key=lambda s: states[s].seq):
                store.put_story_state(states[sid])
            if self.options.digests:
                for extract in extracts:
                    store.put_extract(extract)
                store.set_digests_stale(sorted(states))
        self._lap("write")
        self.report.ingested = len(self.records)
        if self.options.digests:
            # The engine's own digest pass over the stories marked stale: a
            # failure here leaves them marked, and the next ingest writes them.
            self.engine.refresh_digests()
        self._lap("digest")
