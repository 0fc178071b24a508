"""What a running server holds: the store's path, a pool of read connections,
the story index, the token, and the engine that ingests (made on first use).

Readers never wait for an ingest: the store is in WAL mode and each request
reads through its own connection.  Ingests are one at a time, in a child
process that holds the engine (made on the first POST): the engine's CPU work
(embedding, parsing) would otherwise hold the server's GIL and stall every
reader for as long as an ingest runs.
"""

from __future__ import annotations

import hmac
import multiprocessing
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from storyfold.engine import Engine, IngestReport
from storyfold.errors import StoryfoldError
from storyfold.records import RawArticle
from storyfold.store import Store
from storyfold.web.queries import StoryIndex

EngineFactory = Callable[[Path], Engine]


@dataclass(frozen=True, kw_only=True, slots=True)
class ServeOptions:
    """How a server behaves; ``storyfold serve`` sets them from its options."""

    token: str | None = None
    """Bearer token that ``POST /api/articles`` requires; None turns ingest off."""

    max_body_bytes: int = 10 * 1024 * 1024
    """A request body larger than this is refused (413) before it is parsed:
    the same limit as one input file (``Settings.max_input_bytes``)."""

    max_articles: int = 1000
    """Articles one POST may carry: larger loads go in several requests, so one
    client cannot hold the ingest lock for long."""

    per_page: int = 20
    """Stories on one page of the list (the API takes ``per_page`` up to 100)."""


def default_engine(path: Path) -> Engine:
    return Engine.open(path)


# --- the ingest process ----------------------------------------------------------------
# The engine of the child process that ingests for a server, one per process,
# made by the first ingest (a process pool has no other place to keep it).
_worker_engine: list[Engine] = []


def _ingest(
    factory: EngineFactory, path: Path, articles: list[RawArticle]
) -> tuple[IngestReport, dict[str, str | None]]:
    if not _worker_engine:
        _worker_engine.append(factory(path))
    engine = _worker_engine[0]
    report = engine.ingest(articles)
    return report, {a.id: engine.store.story_of(a.id) for a in articles}


def _stop_engine() -> None:
    while _worker_engine:
        _worker_engine.pop().close()


class Site:
    """The state of one server over one store."""

    def __init__(
        self,
        path: str | Path,
        options: ServeOptions | None = None,
        engine_factory: EngineFactory = default_engine,
    ) -> None:
        self.path = Path(path)
        self.options = options or ServeOptions()
        Store.open(self.path).close()  # create or migrate it before any reader opens it
        self.index = StoryIndex()
        self._readers: queue.SimpleQueue[Store] = queue.SimpleQueue()
        self._engine_factory = engine_factory
        self._worker: ProcessPoolExecutor | None = None
        self._ingest_lock = threading.Lock()

    @contextmanager
    def reader(self) -> Iterator[Store]:
        """A connection of the pool for one request (made when none is free)."""
        try:
            store = self._readers.get_nowait()
        except queue.Empty:
            store = Store.open_reader(self.path)
        try:
            yield store
        finally:
            self._readers.put(store)

    def token_matches(self, given: str) -> bool:
        expected = self.options.token
        return expected is not None and hmac.compare_digest(given.encode(), expected.encode())

    def ingest(self, articles: Sequence[RawArticle]) -> tuple[IngestReport, dict[str, str | None]]:
        """Fold articles into the store (one ingest at a time); returns the
        report and the story of each article.  Blocks: call it off the event loop."""
        with self._ingest_lock:
            if self._worker is None:
                self._worker = ProcessPoolExecutor(
                    1, mp_context=multiprocessing.get_context("spawn")
                )
            try:
                return self._worker.submit(
                    _ingest, self._engine_factory, self.path, list(articles)
                ).result()
            except BrokenProcessPool as exc:
                self._worker = None
                raise StoryfoldError(
                    "the ingest process died (out of memory?); nothing of this request was "
                    "committed beyond whole batches: send it again"
                ) from exc

    def close(self) -> None:
        with self._ingest_lock:
            if self._worker is not None:
                self._worker.submit(_stop_engine).result()
                self._worker.shutdown()
                self._worker = None
        while True:
            try:
                self._readers.get_nowait().close()
            except queue.Empty:
                break
