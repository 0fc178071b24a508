"""Watch feeds and files: poll them on an interval and ingest what is new.

Each item is ingested once: the ids of the items a feed has shown are kept in
the store (``seen_items``) and passed over before their pages are fetched, and
the feed's ETag / Last-Modified (``feeds``) let an unchanged feed answer 304.
Both are written only after the items they cover are committed, so a crash or
a Ctrl-C between the two costs a re-read, never an item.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from storyfold.engine import Engine, IngestReport
from storyfold.errors import StoryfoldError
from storyfold.readers import Fetcher, ReadItem, is_url, read_inputs
from storyfold.readers.feeds import FeedReader, read_feed_url
from storyfold.records import RawArticle

log = logging.getLogger("storyfold.watch")

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600}


class WatchError(StoryfoldError):
    """A watch was asked for something it cannot do."""


def parse_interval(text: str) -> float:
    """Seconds in ``30s``, ``10m``, ``1h`` (a bare number is seconds)."""
    match = _INTERVAL.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise WatchError(f"cannot read the interval {text!r}: give it as 30s, 10m or 1h")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@dataclass(slots=True)
class PollReport:
    """What one poll did, over all sources."""

    number: int
    time: datetime
    new: int = 0
    copies: int = 0
    stories_opened: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.time.strftime('%Y-%m-%dT%H:%M:%SZ')} poll {self.number}: new {self.new}, "
            f"copies {self.copies}, new stories {self.stories_opened}, errors {len(self.errors)}"
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Watcher:
    """Polls ``sources`` (feed URLs, feed files, or any input ``ingest`` reads)
    every ``interval`` seconds and ingests what is new into ``engine``.

    ``clock`` and ``sleep`` are injectable so tests run polls without waiting;
    ``max_polls`` stops after that many polls (None: until stopped).
    """

    def __init__(
        self,
        engine: Engine,
        sources: Sequence[str],
        interval: float,
        *,
        fetcher: Fetcher | None = None,
        clock: Callable[[], datetime] = _utc_now,
        sleep: Callable[[float], None] = time.sleep,
        max_polls: int | None = None,
    ) -> None:
        if interval <= 0:
            raise WatchError(f"the interval must be positive, not {interval}")
        if not sources:
            raise WatchError("nothing to watch: give at least one feed URL or file")
        self.engine = engine
        self.sources = list(sources)
        self.interval = interval
        self.fetcher = fetcher or Fetcher(engine.settings)
        self.clock = clock
        self.sleep = sleep
        self.max_polls = max_polls
        self.polls = 0
        self._stopping = False

    def stop(self) -> None:
        """Stop after the source being read now (its batch is committed)."""
        self._stopping = True

    def run(self) -> list[PollReport]:
        """Poll until stopped, ``max_polls`` is reached, or Ctrl-C / SIGTERM
        (as KeyboardInterrupt): the batch in flight is rolled back and what was
        committed stays."""
        reports: list[PollReport] = []
        try:
            while not self._stopping:
                started = self.clock()
                reports.append(self.poll())
                if self.max_polls is not None and self.polls >= self.max_polls:
                    break
                elapsed = (self.clock() - started).total_seconds()
                self.sleep(max(0.0, self.interval - elapsed))
        except KeyboardInterrupt:
            log.info("stopped after %d polls", self.polls)
        return reports

    def poll(self) -> PollReport:
        """Read every source once and ingest what is new; logs one line."""
        self.polls += 1
        report = PollReport(self.polls, self.clock())
        for source in self.sources:
            if self._stopping:
                break
            try:
                done = self._poll_source(source)
            except StoryfoldError as exc:
                report.errors.append(f"{source}: {exc}")
                continue
            except Exception as exc:  # a broken source must not stop the others
                report.errors.append(f"{source}: unexpected {type(exc).__name__}: {exc}")
                continue
            report.new += done.ingested
            report.copies += done.copies
            report.stories_opened += done.stories_opened
            report.errors.extend(str(s) for s in done.skipped)
        for error in report.errors:
            log.warning("error: %s", error)
        log.info(report.line())
        return report

    def _poll_source(self, source: str) -> IngestReport:
        store = self.engine.store
        seen = store.seen_items(source)
        offered: list[str] = []
        items = _recording(self._read(source, seen), seen, offered)
        done = self.engine.ingest(items)
        # Only now that the items are committed may the feed be marked as read.
        with store.transaction():
            store.add_seen_items(source, offered)
            if is_url(source):
                # A feed with an item that failed for now forgets its validators,
                # so the next poll gets the whole feed again and retries the item.
                # When the feed itself failed, the fetcher still holds the old ones.
                item_failed = any(s.origin != source for s in done.skipped)
                validators = None if item_failed else self.fetcher.validators.get(source)
                store.set_feed_validators(source, validators, self.clock().isoformat())
        return done

    def _read(self, source: str, seen: set[str]) -> Iterator[ReadItem]:
        settings = self.engine.settings
        if is_url(source):
            stored = self.engine.store.feed_validators(source)
            if stored is None:
                self.fetcher.validators.pop(source, None)
            else:
                self.fetcher.validators[source] = stored
            yield from read_feed_url(
                source, self.fetcher, settings, known=seen.__contains__, conditional=True
            )
            return
        path = Path(source)
        feeds = FeedReader(settings, self.fetcher)
        if path.is_file() and feeds.accepts(path):
            yield from feeds.read_known(path, settings.max_input_bytes, seen.__contains__)
            return
        for item in read_inputs([path], settings.max_input_bytes, fetcher=self.fetcher):
            if not (isinstance(item, RawArticle) and item.id in seen):
                yield item


def _recording(items: Iterable[ReadItem], seen: set[str], offered: list[str]) -> Iterator[ReadItem]:
    """Pass ``items`` on, noting the ids of the articles among them."""
    for item in items:
        if isinstance(item, RawArticle) and item.id not in seen:
            offered.append(item.id)
        yield item
