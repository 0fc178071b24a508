"""The watcher against a local site whose feed changes between polls: every new
item is ingested exactly once, stories grow, a feed that is down costs nothing,
and a stop mid-batch loses nothing.  Sleep and clock are injected: no waiting."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storyfold import Engine, Settings
from storyfold.readers import Fetcher
from storyfold.store import Store
from storyfold.watch import Watcher, WatchError, parse_interval

from .site import LocalSite, page, rss

SETTINGS = Settings(
    embedder="hashing", fetch_timeout=0.3, fetch_retries=1, fetch_backoff=0.01, fetch_host_delay=0
)
START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class FakeTime:
    """A clock that moves only when slept on; runs a scripted change per sleep."""

    def __init__(self, script: list[Callable[[], None]] | None = None) -> None:
        self.now = START
        self.slept: list[float] = []
        self.script = list(script or [])

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)
        if self.script:
            self.script.pop(0)()


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as served:
        yield served


def _engine(path: Path) -> Engine:
    return Engine(Store.open(path), settings=SETTINGS)


def _fetcher() -> Fetcher:
    return Fetcher(SETTINGS, sleep=lambda s: None)


def _publish(site: LocalSite, items: list[tuple[str, str | None]], version: int) -> None:
    """Serve the feed with these (guid, full body or None for a teaser) items;
    each item links to /<guid>, and each version of the feed has its own ETag."""
    entries = [(guid, site.url(f"/{guid}"), body) for guid, body in items]
    site.add("/feed.rss", rss(entries), etag=f'"v{version}"')


def test_polls_ingest_each_new_item_once(
    site: LocalSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site.add("/strike-1", page("strike"))
    site.add("/transplant-1", page("transplant"))
    items: list[tuple[str, str | None]] = [("flood-1", page("flood")), ("strike-1", None)]
    _publish(site, items, 1)

    def add_election_and_a_copy() -> None:
        items.extend([("election-1", page("election")), ("flood-2", page("flood"))])
        _publish(site, items, 2)

    def go_away() -> None:
        site.stop()

    def come_back_with_more() -> None:
        items.append(("transplant-1", None))
        _publish(site, items, 3)
        site.start()

    fake = FakeTime([add_election_and_a_copy, go_away, come_back_with_more, lambda: None])
    feed = site.url("/feed.rss")
    with (
        caplog.at_level(logging.INFO, logger="storyfold.watch"),
        _engine(tmp_path / "s.db") as engine,
    ):
        watcher = Watcher(
            engine, [feed], 600, fetcher=_fetcher(), clock=fake.clock, sleep=fake.sleep, max_polls=5
        )
        reports = watcher.run()
        assert [(r.new, r.copies, r.stories_opened) for r in reports] == [
            (2, 0, 2),
            (2, 1, 1),  # the second flood item is a copy: it joins the first one's story
            (0, 0, 0),
            (1, 0, 1),
            (0, 0, 0),
        ]
        assert [len(r.errors) for r in reports] == [0, 0, 1, 0, 0]
        assert feed in reports[2].errors[0]
        assert fake.slept == [600, 600, 600, 600]
        store = engine.store
        assert store.count_articles() == 5
        flood_story = store.story_of(_id("flood-1"))
        assert flood_story is not None and store.story_of(_id("flood-2")) == flood_story
        assert len(store.story_states()) == 4
        assert store.copy_link(_id("flood-2")) is not None
    # Each teaser's page was fetched once, however many polls saw its item.
    assert len(site.hits("/strike-1")) == 1 and len(site.hits("/transplant-1")) == 1
    # The last poll found the feed unchanged: the server said 304.
    assert site.hits("/feed.rss")[-1].headers["if-none-match"] == '"v3"'
    lines = [r.getMessage() for r in caplog.records if " poll " in r.getMessage()]
    assert lines[0] == "2026-11-23T12:00:00Z poll 1: new 2, copies 0, new stories 2, errors 0"
    assert lines[2].endswith("poll 3: new 0, copies 0, new stories 0, errors 1")
    assert len(lines) == 5


def _id(guid: str) -> str:
    from storyfold.represent.text import stable_id

    return stable_id(guid)


def test_a_restart_remembers_validators_and_seen_items(site: LocalSite, tmp_path: Path) -> None:
    items: list[tuple[str, str | None]] = [("flood-1", page("flood"))]
    _publish(site, items, 1)
    feed = site.url("/feed.rss")
    for _ in range(2):  # a restart: new engine, new fetcher, same store
        with _engine(tmp_path / "s.db") as engine:
            fake = FakeTime()
            Watcher(
                engine,
                [feed],
                60,
                fetcher=_fetcher(),
                clock=fake.clock,
                sleep=fake.sleep,
                max_polls=1,
            ).run()
    assert site.hits("/feed.rss")[-1].headers.get("if-none-match") == '"v1"'
    items.append(("election-1", page("election")))
    _publish(site, items, 2)
    site.routes["/feed.rss"].etag = None  # a server without validators: seen items still tell
    with _engine(tmp_path / "s.db") as engine:
        fake = FakeTime()
        [report] = Watcher(
            engine, [feed], 60, fetcher=_fetcher(), clock=fake.clock, sleep=fake.sleep, max_polls=1
        ).run()
        assert (report.new, engine.store.count_articles()) == (1, 2)
        assert engine.store.seen_items(feed) == {_id("flood-1"), _id("election-1")}


def test_garbage_from_one_source_does_not_stop_the_others(site: LocalSite, tmp_path: Path) -> None:
    site.add("/garbage.rss", b"<html><body>Oops, an error page</body>", content_type="text/html")
    _publish(site, [("strike-1", page("strike"))], 1)
    missing = str(tmp_path / "missing.rss")
    sources = [site.url("/garbage.rss"), missing, site.url("/feed.rss")]
    with _engine(tmp_path / "s.db") as engine:
        fake = FakeTime()
        [report] = Watcher(
            engine, sources, 60, fetcher=_fetcher(), clock=fake.clock, sleep=fake.sleep, max_polls=1
        ).run()
    assert report.new == 1
    assert len(report.errors) == 2
    assert any("garbage.rss" in e and "not an RSS or Atom feed" in e for e in report.errors)
    assert any("missing.rss" in e and "no such file" in e for e in report.errors)


def test_a_stop_mid_batch_rolls_back_and_the_next_run_finishes(
    site: LocalSite, tmp_path: Path
) -> None:
    guids = ["flood-1", "election-1", "strike-1", "transplant-1"]
    _publish(site, [(g, page(g.split("-")[0])) for g in guids], 1)
    feed = site.url("/feed.rss")
    settings = Settings(embedder="hashing", batch_size=2, fetch_host_delay=0)
    with Engine(Store.open(tmp_path / "s.db"), settings=settings) as engine:
        real_find = engine.copy_finder.find
        calls = [0]

        def interrupted(*args: Any) -> Any:
            calls[0] += 1
            if calls[0] == 3:  # inside the second batch: as if Ctrl-C were pressed now
                raise KeyboardInterrupt
            return real_find(*args)

        engine.copy_finder.find = interrupted  # type: ignore[method-assign]
        fake = FakeTime()
        reports = Watcher(
            engine, [feed], 60, fetcher=_fetcher(), clock=fake.clock, sleep=fake.sleep
        ).run()
        assert reports == []  # stopped inside its first poll
        assert engine.store.count_articles() == 2  # the first batch stays, the second rolled back
        assert engine.store.seen_items(feed) == set()
        engine.copy_finder.find = real_find  # type: ignore[method-assign]
        [report] = Watcher(
            engine, [feed], 60, fetcher=_fetcher(), clock=fake.clock, sleep=fake.sleep, max_polls=1
        ).run()
        assert report.new == 2  # the two committed before the stop are not ingested again
        assert engine.store.count_articles() == 4
        assert len(engine.store.seen_items(feed)) == 4


def test_intervals() -> None:
    assert [parse_interval(t) for t in ("30s", "10m", "1h", "45")] == [30, 600, 3600, 45]
    for bad in ("", "10x", "-5m", "0s", "m"):
        with pytest.raises(WatchError, match="30s, 10m or 1h"):
            parse_interval(bad)


def test_cli_watch_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    feed = tmp_path / "saved.rss"
    feed.write_text(rss([("flood-1", "https://news.example.org/flood", page("flood"))]))
    db = tmp_path / "s.db"
    command = [sys.executable, "-m", "storyfold", "watch", "--db", str(db), "--every", "1h"]
    process = subprocess.Popen(
        [*command, "--embedder", "hashing", str(feed)],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # the first poll is done when its line is out
    assert "poll 1: new 1, copies 0, new stories 1, errors 0" in first
    process.send_signal(signal.SIGTERM)  # now asleep until the next poll, an hour away
    _, rest = process.communicate(timeout=20)
    assert process.returncode == 0, rest
    assert "stopped after 1 polls" in rest
    store = Store.open(db)
    assert store.count_articles() == 1
    store.close()


def test_a_page_that_failed_for_now_is_fetched_at_the_next_poll(
    site: LocalSite, tmp_path: Path
) -> None:
    _publish(site, [("strike-1", None)], 1)
    site.add("/strike-1", "busy", status=503)

    def recover() -> None:
        site.add("/strike-1", page("strike"))

    fake = FakeTime([recover])
    with _engine(tmp_path / "s.db") as engine:
        reports = Watcher(
            engine,
            [site.url("/feed.rss")],
            60,
            fetcher=_fetcher(),
            clock=fake.clock,
            sleep=fake.sleep,
            max_polls=2,
        ).run()
    assert [(r.new, len(r.errors)) for r in reports] == [(0, 1), (1, 0)]
    assert "HTTP 503" in reports[0].errors[0]
    # The feed had not changed, but its validators were dropped with the failed
    # item, so the second poll read it whole instead of getting a 304.
    second = site.hits("/feed.rss")[-1]
    assert "if-none-match" not in second.headers
