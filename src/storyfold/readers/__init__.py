"""Readers: files and folders in, raw articles out, nothing lost without a word."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from storyfold.config import Settings
from storyfold.readers.base import Notice, Reader, ReadItem, Skipped
from storyfold.readers.feeds import FeedReader, read_feed_url
from storyfold.readers.fetch import Fetcher
from storyfold.readers.files import HtmlReader, JsonlReader, TextReader
from storyfold.readers.warc import WarcReader

__all__ = [
    "DEFAULT_READERS",
    "FeedReader",
    "Fetcher",
    "Notice",
    "ReadItem",
    "Reader",
    "Skipped",
    "WarcReader",
    "is_url",
    "read_inputs",
]

DEFAULT_READERS: tuple[Reader, ...] = (
    TextReader(),
    HtmlReader(),
    JsonlReader(),
    FeedReader(),
    WarcReader(),
)


_KINDS = ".txt, .html, .htm, .jsonl, .rss, .atom, .xml, .warc, or an http(s) feed URL"


def is_url(given: str | Path) -> bool:
    return isinstance(given, str) and given.startswith(("http://", "https://"))


def read_inputs(
    paths: Iterable[str | Path],
    max_bytes: int,
    readers: Sequence[Reader] = DEFAULT_READERS,
    fetcher: Fetcher | None = None,
) -> Iterator[ReadItem]:
    """Read every input: a feed URL, a file of a known kind, or a folder walked
    in name order.  Feed URLs are fetched with ``fetcher`` (a new polite one
    when none is given).

    In a folder, files of no known kind (and hidden files) are passed over
    quietly, so a folder may hold notes or gold files beside the articles; a
    file named explicitly that no reader accepts is reported as skipped.
    """
    for given in paths:
        if is_url(given):
            fetcher = fetcher or Fetcher(Settings(max_input_bytes=max_bytes))
            yield from read_feed_url(str(given), fetcher, fetcher.settings)
            continue
        path = Path(given)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                relative = child.relative_to(path).parts
                if any(part.startswith(".") for part in relative):
                    continue
                reader = _reader_for(child, readers)
                if reader is not None:
                    yield from reader.read(child, max_bytes)
        elif path.exists():
            reader = _reader_for(path, readers)
            if reader is None:
                yield Skipped(str(path), f"unknown kind of file (expected {_KINDS})")
            else:
                yield from reader.read(path, max_bytes)
        else:
            yield Skipped(str(path), "no such file or folder")


def _reader_for(path: Path, readers: Sequence[Reader]) -> Reader | None:
    return next((r for r in readers if r.accepts(path)), None)
