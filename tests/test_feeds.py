"""RSS and Atom feeds served from a local site on 127.0.0.1: items become raw
articles, teasers' pages are fetched politely, and every failure is reported
with its URL instead of stopping the read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyfold import Engine, Settings, __version__
from storyfold.cli import app
from storyfold.readers import Fetcher, Notice, ReadItem, Skipped
from storyfold.readers.feeds import read_feed_url
from storyfold.readers.fetch import FetchError
from storyfold.records import RawArticle
from storyfold.represent.text import stable_id
from storyfold.store import Store

from .site import LocalSite, atom, page, rss, teaser

SETTINGS = Settings(
    embedder="hashing", fetch_timeout=0.3, fetch_retries=1, fetch_backoff=0.05, fetch_host_delay=0
)


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as served:
        yield served


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def fetcher(sleeps: list[float]) -> Fetcher:
    return Fetcher(SETTINGS, sleep=sleeps.append)


def _read(url: str, fetcher: Fetcher) -> list[ReadItem]:
    return list(read_feed_url(url, fetcher, SETTINGS))


def _articles(items: list[ReadItem]) -> list[RawArticle]:
    return [i for i in items if isinstance(i, RawArticle)]


def test_rss_items_become_articles(site: LocalSite, fetcher: Fetcher) -> None:
    link = site.url("/flood")
    feed = rss([("flood-1", link, page("flood"))])
    url = site.add("/feed.rss", feed, content_type="application/rss+xml")
    items = _read(url, fetcher)
    [article] = _articles(items)
    assert article.id == stable_id("flood-1")
    assert article.url == link
    assert article.title == "River Ardle floods the town of Kelmoor"
    assert article.published == "2026-11-20T11:30:00+02:00"  # the feed's own offset kept
    assert article.source == "Example News"
    assert article.html is not None and "sports hall on Mill Road" in article.html
    assert ("feed", url) in article.metadata
    assert site.hits("/flood") == []  # full content in the feed: no page fetched
    [request] = site.hits("/feed.rss")
    assert request.headers["user-agent"].startswith(f"storyfold/{__version__}")


def test_atom_entries_become_articles(site: LocalSite, fetcher: Fetcher) -> None:
    link = site.url("/election")
    url = site.add("/atom.xml", atom([("election-1", link, page("election"))]))
    [article] = _articles(_read(url, fetcher))
    assert article.published == "2026-11-20T08:15:00-05:00"
    assert article.source == "Atom Daily"
    assert article.url == link
    assert article.html is not None and "Odile Varga" in article.html


def test_teaser_only_feed_fetches_the_page(site: LocalSite, fetcher: Fetcher) -> None:
    site.add("/strike", page("strike"))
    url = site.add("/teasers.rss", rss([("strike-1", site.url("/strike"), None)]))
    [article] = _articles(_read(url, fetcher))
    assert article.html == page("strike")
    assert ("fetched_page", "true") in article.metadata
    assert len(site.hits("/strike")) == 1
    with Engine(Store.open(":memory:"), settings=SETTINGS) as engine:
        report = engine.ingest([article])
        assert report.ingested == 1
        stored = engine.store.article(article.id)
        assert stored is not None and "arbitration service" in stored.body
        assert "Home | World" not in stored.body


def test_a_long_summary_is_used_without_fetching(site: LocalSite, fetcher: Fetcher) -> None:
    body = page("transplant")
    url = site.add("/long.rss", rss([("transplant-1", site.url("/transplant"), body)]))
    [article] = _articles(_read(url, fetcher))
    assert article.html is not None and "Dr Mira Holst" in article.html
    assert site.hits("/transplant") == []


def test_malformed_feed_is_skipped_with_its_url(site: LocalSite, fetcher: Fetcher) -> None:
    url = site.add("/broken.rss", b"\x00\x01 this is { not a feed", content_type="text/plain")
    [item] = _read(url, fetcher)
    assert isinstance(item, Skipped)
    assert item.origin == url and "not an RSS or Atom feed" in item.reason


def test_feed_that_times_out_is_retried_then_skipped(
    site: LocalSite, fetcher: Fetcher, sleeps: list[float]
) -> None:
    url = site.add("/slow.rss", rss([]), delay=1.0)
    [item] = _read(url, fetcher)
    assert isinstance(item, Skipped) and "timed out" in item.reason and item.origin == url
    assert len(site.hits("/slow.rss")) == 2  # one try and one retry
    assert sleeps == [0.05]


def test_server_errors_are_retried_with_exponential_backoff(site: LocalSite) -> None:
    sleeps: list[float] = []
    settings = Settings(fetch_retries=3, fetch_backoff=0.5, fetch_host_delay=0)
    url = site.add("/down.rss", "busy", status=503)
    with pytest.raises(FetchError, match="HTTP 503") as caught:
        Fetcher(settings, sleep=sleeps.append).get(url)
    assert caught.value.transient and url in str(caught.value)
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(site.hits("/down.rss")) == 4


def test_redirected_page_is_followed(site: LocalSite, fetcher: Fetcher) -> None:
    site.add("/moved", "", status=301, headers={"Location": "/flood-final"})
    site.add("/flood-final", page("flood"))
    url = site.add("/r.rss", rss([("flood-2", site.url("/moved"), None)]))
    [article] = _articles(_read(url, fetcher))
    assert article.html == page("flood")
    assert article.url == site.url("/moved")


def test_missing_feed_and_missing_page(site: LocalSite, fetcher: Fetcher) -> None:
    [missing] = _read(site.url("/nope.rss"), fetcher)
    assert isinstance(missing, Skipped) and "HTTP 404" in missing.reason
    url = site.add("/f.rss", rss([("election-2", site.url("/gone"), None)]))
    items = _read(url, fetcher)
    # A page that is gone for good: the item keeps the feed's teaser, with a word.
    [notice] = [i for i in items if isinstance(i, Notice)]
    assert "HTTP 404" in notice.message and site.url("/gone") in notice.origin
    [article] = _articles(items)
    assert article.html == teaser("election")


def test_page_over_the_size_limit_is_refused(site: LocalSite, fetcher: Fetcher) -> None:
    site.add("/huge", b"<p>" + b"x" * (20 * 1024 * 1024) + b"</p>")
    with pytest.raises(FetchError, match="too large"):
        fetcher.get(site.url("/huge"))
    url = site.add("/h.rss", rss([("flood-3", site.url("/huge"), None)]))
    items = _read(url, fetcher)
    assert any(isinstance(i, Notice) and "too large" in i.message for i in items)
    assert [a.html for a in _articles(items)] == [teaser("flood")]


def test_size_limit_holds_without_a_content_length(site: LocalSite) -> None:
    # A server may send no length: the read itself stops one byte past the limit.
    site.add("/big", b"y" * 5000, send_length=False)
    site.add("/ok", b"y" * 900, send_length=False)
    small = Fetcher(Settings(max_input_bytes=1000, fetch_host_delay=0), sleep=lambda s: None)
    with pytest.raises(FetchError, match="too large"):
        small.get(site.url("/big"))
    assert small.get(site.url("/ok")).body == b"y" * 900


def test_robots_txt_is_respected(site: LocalSite, fetcher: Fetcher) -> None:
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.add("/private/strike", page("strike"))
    url = site.add("/p.rss", rss([("strike-2", site.url("/private/strike"), None)]))
    items = _read(url, fetcher)
    assert any(isinstance(i, Notice) and "robots.txt" in i.message for i in items)
    assert site.hits("/private/strike") == []
    assert len(site.hits("/robots.txt")) == 1  # once per host, not once per request
    with pytest.raises(FetchError, match=r"robots\.txt"):
        fetcher.get(site.url("/private/strike"))
    site.add("/open-door", "", status=302, headers={"Location": "/private/strike"})
    with pytest.raises(FetchError, match=r"/private/strike: disallowed by the site's robots\.txt"):
        fetcher.get(site.url("/open-door"))  # a redirect is no way round it
    assert site.hits("/private/strike") == []


def test_robots_txt_that_cannot_be_had_for_now_is_asked_again(site: LocalSite) -> None:
    now = [0.0]
    fetcher = Fetcher(SETTINGS, sleep=lambda s: None, clock=lambda: now[0])
    site.add("/robots.txt", "", status=503)
    url = site.add("/a", page("flood"))
    with pytest.raises(FetchError, match=r"robots\.txt could not be had") as caught:
        fetcher.get(url)
    assert caught.value.transient and site.hits("/a") == []
    site.add("/robots.txt", "User-agent: *\nDisallow: /a\n", content_type="text/plain")
    with pytest.raises(FetchError, match="disallowed"):
        fetcher.get(url)
    site.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
    now[0] += 25 * 3600  # a day later, robots.txt is read again
    assert fetcher.get(url).body == page("flood").encode()


def test_conditional_get_sends_the_remembered_validators(site: LocalSite, fetcher: Fetcher) -> None:
    modified = {"Last-Modified": "Fri, 20 Nov 2026 09:30:00 GMT"}
    url = site.add("/c.rss", rss([]), etag='"v1"', headers=modified)
    assert fetcher.get(url, conditional=True).body is not None
    again = fetcher.get(url, conditional=True)
    assert again.not_modified
    last = site.hits("/c.rss")[-1].headers
    assert last["if-none-match"] == '"v1"'
    assert last["if-modified-since"] == "Fri, 20 Nov 2026 09:30:00 GMT"
    assert list(read_feed_url(url, fetcher, SETTINGS, conditional=True)) == []
    page_url = site.add("/page", page("flood"), etag='"p1"')
    fetcher.get(page_url)  # a page is read for its body: its validators are not kept
    assert list(fetcher.validators) == [url]


def test_requests_to_one_host_are_spaced(site: LocalSite) -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    polite = Fetcher(Settings(fetch_host_delay=1.5), sleep=sleep, clock=lambda: now[0])
    url = site.add("/a", page("flood"))
    polite.get(url)  # robots.txt (404: open), then the page
    polite.get(url)
    assert sleeps == [1.5, 1.5]


def test_feed_file_and_feed_url_through_ingest(site: LocalSite, tmp_path: Path) -> None:
    site.add("/transplant", page("transplant"))
    feed = tmp_path / "saved.rss"
    feed.write_text(rss([("transplant-2", site.url("/transplant"), None)]), encoding="utf-8")
    url = site.add("/e.rss", rss([("election-3", site.url("/e"), page("election"))]))
    with Engine(Store.open(tmp_path / "s.db"), settings=SETTINGS) as engine:
        report = engine.ingest_paths([feed, url])
        assert (report.ingested, report.skipped) == (2, [])
        assert len(site.hits("/transplant")) == 1
        again = engine.ingest_paths([feed, url])
        assert (again.ingested, again.unchanged) == (0, 2)


def test_cli_ingests_a_feed_file(tmp_path: Path) -> None:
    feed = tmp_path / "full.atom"
    feed.write_text(atom([("strike-3", "https://atom.example.com/strike", page("strike"))]))
    db = tmp_path / "s.db"
    args = ["ingest", "--db", str(db), "--embedder", "hashing", str(feed)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ingested 1, unchanged 0, skipped 0" in result.output
    listing = CliRunner().invoke(app, ["sources", "--db", str(db)])
    assert "Atom Daily" in listing.output and "atom.example.com" in listing.output
