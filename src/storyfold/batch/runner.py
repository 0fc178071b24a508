"""The batch pipeline: the local ingest's stages, mapped, shuffled and reduced on Dask.

1. read the inputs (on the client), in arrival order;
2. clean on workers, partition by partition; the engine's own admission rules
   (empty bodies, ids seen twice) run on the client over the results;
3. represent on workers, in the local ingest's batches, so vectors match;
4. shuffle content hashes and MinHash LSH band keys: each partition splits its
   keys into buckets, one reducer per bucket groups them and routes each pair
   of articles sharing a key to the later article's partition;
5. rank each article's nearest earlier articles by lead embedding, one task per
   pair of partitions whose day spans come within the copy window (a blocked
   product; pairs farther apart in time hold no candidates and are skipped),
   merged per partition;
6. confirm with the copy finder's ``find`` over each article's candidates
   (:class:`~storyfold.batch.index.CandidateIndex`): the link the local path
   would find against the store;
7. make the digester's per-article extracts on the workers;
8. with a story window set, fold the stories per window of arrivals, in
   parallel: each window's task runs the engine's own ``fold`` (assignment,
   splits, merges) over a lead-in (the end of the window before) and the
   window, and the client stitches the windows at the seams (by default, or
   when the input fits one window, this is skipped: the client's fold in step
   9 decides the stories, exactly as the local ingest's);
9. write everything in one transaction through the engine's own ``fold``, in
   the local ingest's batches: copy links (found above) with the engine's
   original rule, and the stories decided in step 8 (or assigned here, with
   their splits and merges, then the ingest's ``settle``: the second look at
   the run's articles), marking every touched story's digest stale;
10. after the commit, the engine's own ``refresh_digests`` writes the digests
    and related stories.

Nothing is written before step 9, and step 9 commits whole or not at all: a
batch that fails before it leaves the store as it was (one that fails in step
10 leaves digests marked stale, which the next ingest writes).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from distributed import Client, Future, LocalCluster

from storyfold.batch import tasks
from storyfold.batch.tasks import EngineFactory, EngineOnWorker, Record
from storyfold.config import BATCH_STORY_LEAD_IN, BATCH_STORY_WINDOW
from storyfold.engine import Engine, IngestReport
from storyfold.errors import StoryfoldError
from storyfold.readers import Fetcher, read_inputs
from storyfold.records import Article, Assignment, CopyLink, RawArticle

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
    ``digests``: write a digest per story (``show`` needs them).

    Two options do change the stories, and only of inputs longer than one
    window: ``story_window`` cuts the arrivals into windows of this many
    articles, whose stories are folded in parallel (each window by the
    engine's own fold, splits and merges included, on a worker) and joined at
    the seams (:func:`~storyfold.batch.tasks.stitch`); each window first folds
    the ``story_lead_in`` articles before it again, to match the seam.  A
    smaller window is more parallel and further from the local ingest
    (docs/scaling.md has the measured agreement); 0, the default, folds every
    story on the client, in one window, exactly as ``ingest`` does.
    """

    partitions: int | None = None
    buckets: int | None = None
    nearest: int = 11
    digests: bool = True
    story_window: int = BATCH_STORY_WINDOW
    story_lead_in: int = BATCH_STORY_LEAD_IN


@dataclass(slots=True)
class BatchReport(IngestReport):
    """An ingest report, and how the work was cut up and what each stage took."""

    partitions: int = 0
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
        self._collect(records)
        # extracts and window folds are independent: both are queued before either is gathered
        extracts = self._extracts() if self.options.digests else []
        decided = self._stories(records, links)
        self._write(links, decided, extracts)
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

        # Copy candidates by lead are ranked among articles dated within
        # copy_window_days, undated ones on the day they are written, as the
        # store's lead index ranks them.
        today = datetime.now(UTC).date().toordinal()
        window = self.engine.settings.copy_window_days
        leads = [self._submit(tasks.leads, p, today) for p in parts]
        spans = self._gather([self._submit(tasks.day_span, lead) for lead in leads])
        ranks = [
            self._submit(
                tasks.merge_ranks,
                keep,
                *(self._submit(tasks.rank_block, leads[q], leads[j], keep, window) for j in blocks),
            )
            for q, blocks in enumerate(tasks.blocks_to_rank(spans, window))
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

    # --- records -------------------------------------------------------------
    def _collect(self, parts: list[Future[Any]]) -> None:
        """The workers' records on the client, by arrival index, for the write."""
        self.records: dict[int, Record] = {
            r.idx: r for part in self._gather(parts) for r in cast(list[Record], part)
        }

    # --- stories per window ------------------------------------------------------
    def _stories(
        self, parts: list[Future[Any]], links: dict[int, CopyLink]
    ) -> tuple[dict[str, Assignment], list[tasks.Change]] | None:
        """Each window's stories folded on a worker, stitched at the seams; None
        when the input fits one window (the client's fold decides then)."""
        n = len(self.records)
        size = self.engine.settings.batch_size
        width = -(-self.options.story_window // size) * size
        if width <= 0 or n <= width:
            return None
        lead = -(-self.options.story_lead_in // size) * size
        ends = [*self.bounds[1:], n]
        futures = []
        for start in range(0, n, width):
            lo, hi = max(0, start - lead), min(n, start + width)
            overlapping = [
                part
                for part, first, end in zip(parts, self.bounds, ends, strict=True)
                if first < hi and end > lo
            ]
            inside = {i: link for i, link in links.items() if lo <= i < hi}
            futures.append(self._submit(tasks.fold_window, lo, start, hi, inside, *overlapping))
        self.on_stage("stories", self.client)
        windows = self._gather(futures)
        self._lap("stories")
        return tasks.stitch(windows)

    # --- write -----------------------------------------------------------------
    def _extracts(self) -> list[Future[Any]]:
        """What the digests read of each article, made on the workers in the
        ingest's batches (queued; gathered by the write)."""
        chunk = self.engine.settings.batch_size
        ordered = [self.records[i] for i in sorted(self.records)]
        futures = [
            self._submit(tasks.extract, ordered[at : at + chunk])
            for at in range(0, len(ordered), chunk)
        ]
        self.on_stage("extract", self.client)
        return futures

    def _write(
        self,
        links: dict[int, CopyLink],
        decided: tuple[dict[str, Assignment], list[tasks.Change]] | None,
        extracting: list[Future[Any]],
    ) -> None:
        engine, store = self.engine, self.engine.store
        extracts = [e for part in self._gather(extracting) for e in part]
        ordered = [self.records[i] for i in sorted(self.records)]
        found = {r.article.id: links.get(r.idx) for r in ordered}
        keys = {r.article.id: r.band_keys for r in ordered}
        touched: set[str] = set()
        size = engine.settings.batch_size
        with store.transaction():
            # The engine's own fold, in the ingest's batches: the stories (with
            # their splits and merges) are the local ingest's by construction.
            for at in range(0, len(ordered), size):
                stories, copies, opened = engine.fold(
                    [r.article for r in ordered[at : at + size]],
                    [r.rep for r in ordered[at : at + size]],
                    lambda article, rep: found[article.id],
                    lambda article, rep: list(keys[article.id]),
                    decided[0] if decided else None,
                )
                touched |= stories
                self.report.copies += copies
                self.report.stories_opened += opened
            for change in decided[1] if decided else ():
                store.record_story_change(*change)
            self._lap("write")
            if decided is None:
                # The ingest's second look at the run's articles (the window
                # stage's stories are stitched as they are).
                touched |= engine.settle(touched, 1)
            self._lap("settle")
            if store.max_seq() != len(ordered):
                raise BatchError(
                    f"{store.path} numbered the articles from another start; "
                    "batch needs a store that never held articles"
                )
            if self.options.digests:
                for extract in extracts:
                    store.put_extract(extract)
                store.set_digests_stale(sorted(touched))
        self._lap("commit")
        self.report.ingested = len(self.records)
        if self.options.digests:
            # The engine's own digest pass over the stories marked stale: a
            # failure here leaves them marked, and the next ingest writes them.
            self.engine.refresh_digests()
        self._lap("digest")
