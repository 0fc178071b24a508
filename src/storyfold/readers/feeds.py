"""RSS and Atom feeds, from a URL or a file: one raw article per item.

An item's body is what the feed carries (``content:encoded`` / ``content``,
else the summary) as HTML.  When that is a teaser (fewer than
``Settings.short_summary_words`` words) the linked page is fetched instead.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser

from storyfold.config import Settings
from storyfold.outlets import host_of
from storyfold.readers.base import Notice, ReadItem, Skipped
from storyfold.readers.decode import declared_html_charset, decode_text
from storyfold.readers.fetch import Fetcher, FetchError
from storyfold.records import RawArticle
from storyfold.represent.text import stable_id

FEED_SUFFIXES = (".rss", ".atom", ".xml")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of a parsed feed, before its page (if any) is fetched."""

    id: str
    origin: str
    link: str | None
    title: str | None
    published: str | None
    html: str | None
    words: int


@dataclass(frozen=True, slots=True)
class Feed:
    origin: str
    source: str | None
    items: tuple[FeedItem, ...]


def parse_feed(data: bytes, origin: str) -> Feed | Skipped:
    """Parse feed bytes; a document that is no feed at all is Skipped.

    feedparser is lenient: a feed with a small error (``bozo``) still gives its
    items, and only a document with no feed in it is refused.
    """
    parsed: Any = feedparser.parse(data)
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        problem = parsed.get("bozo_exception")
        why = f" ({problem})" if problem else ""
        return Skipped(origin, f"not an RSS or Atom feed{why}")
    info = parsed.feed
    feed_link = info.get("link") or (origin if "://" in origin else None)
    source = info.get("title") or host_of(feed_link)
    items = tuple(_item(entry, origin, index) for index, entry in enumerate(parsed.entries))
    return Feed(origin, source.strip() if source else None, items)


def _item(entry: Any, feed_origin: str, index: int) -> FeedItem:
    link = entry.get("link") or None
    guid = entry.get("id") or link
    html = None
    for content in entry.get("content") or ():
        if content.get("value", "").strip():
            html = content["value"]
            break
    if html is None:
        html = entry.get("summary") or None
    title = entry.get("title") or None
    item_id = stable_id(guid) if guid else stable_id(feed_origin, title, html)
    return FeedItem(
        id=item_id,
        origin=f"{feed_origin}#{link or guid or index + 1}",
        link=link,
        title=title,
        published=_published(entry),
        html=html,
        words=len(_TAG.sub(" ", html or "").split()),
    )


def _published(entry: Any) -> str | None:
    """ISO 8601, keeping the time zone the feed gave (feedparser's own parse
    converts to UTC and drops it)."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            return parsedate_to_datetime(raw).isoformat()  # RSS: RFC 822 dates
        except (TypeError, ValueError, IndexError):
            pass
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).isoformat()  # Atom
        except ValueError:
            pass
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
        return str(raw)
    return None


def feed_articles(
    feed: Feed,
    fetcher: Fetcher | None,
    settings: Settings,
    known: Callable[[str], bool] = lambda _id: False,
) -> Iterator[ReadItem]:
    """The feed's items as raw articles, pages fetched for teasers.

    Items for which ``known(id)`` holds are passed over before any page is
    fetched, so a watcher never fetches a page twice.  A teaser whose page
    cannot be had for good (404, robots.txt, too large) is kept as the teaser,
    with a notice; one whose page failed for now (timeout, 5xx) is Skipped,
    so the next poll tries again.
    """
    for item in feed.items:
        if known(item.id):
            continue
        html, notice = item.html, None
        fetched = False
        if item.words < settings.short_summary_words and item.link and fetcher is not None:
            try:
                page = fetcher.get(item.link)
            except FetchError as exc:
                if exc.transient or not (html and html.strip()):
                    yield Skipped(item.origin, f"could not fetch the linked page: {exc}")
                    continue
                notice = Notice(item.origin, f"kept the feed's summary; page not fetched: {exc}")
            else:
                body = page.body or b""
                html, _ = decode_text(body, page.charset or declared_html_charset(body))
                fetched = True
        if not (html and html.strip()):
            yield Skipped(item.origin, "item has no content and no link to fetch")
            continue
        if notice is not None:
            yield notice
        metadata = [("feed", feed.origin)]
        if fetched:
            metadata.append(("fetched_page", "true"))
        yield RawArticle(
            id=item.id,
            origin=item.origin,
            html=html,
            url=item.link,
            title=item.title,
            published=item.published,
            source=feed.source,
            metadata=tuple(sorted(metadata)),
        )


def read_feed_url(
    url: str,
    fetcher: Fetcher,
    settings: Settings,
    known: Callable[[str], bool] = lambda _id: False,
    conditional: bool = False,
) -> Iterator[ReadItem]:
    """Fetch and read one feed URL.  Yields nothing when the feed is unchanged
    since the validators ``fetcher`` holds for it (with ``conditional``)."""
    try:
        response = fetcher.get(url, conditional=conditional)
    except FetchError as exc:
        yield Skipped(url, f"could not fetch the feed: {exc.message}")
        return
    if response.body is None:
        return
    feed = parse_feed(response.body, url)
    if isinstance(feed, Skipped):
        yield feed
        return
    yield from feed_articles(feed, fetcher, settings, known)


class FeedReader:
    """Feed files on disk (``.rss``, ``.atom``, ``.xml``), read like a feed URL:
    teasers' pages are fetched with ``fetcher`` (a new polite one per file when
    none is given; ``fetch_pages=False`` keeps the teasers)."""

    def __init__(
        self,
        settings: Settings | None = None,
        fetcher: Fetcher | None = None,
        fetch_pages: bool = True,
    ) -> None:
        self.settings = settings or Settings()
        self.fetcher = fetcher
        self.fetch_pages = fetch_pages

    def accepts(self, path: Path) -> bool:
        return path.name.lower().endswith(FEED_SUFFIXES)

    def read(self, path: Path, max_bytes: int) -> Iterator[ReadItem]:
        yield from self.read_known(path, max_bytes)

    def read_known(
        self, path: Path, max_bytes: int, known: Callable[[str], bool] = lambda _id: False
    ) -> Iterator[ReadItem]:
        """Read the feed file, passing over the items for which ``known(id)`` holds."""
        feed = load_feed_file(path, max_bytes)
        if isinstance(feed, Skipped):
            yield feed
            return
        fetcher = None
        if self.fetch_pages:
            fetcher = self.fetcher or Fetcher(self.settings)
        yield from feed_articles(feed, fetcher, self.settings, known)


def load_feed_file(path: Path, max_bytes: int) -> Feed | Skipped:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(str(path), f"too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB)")
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(str(path), f"cannot read: {exc.strerror or exc}")
    return parse_feed(data, str(path))
