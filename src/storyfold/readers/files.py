"""Readers for plain text, HTML and JSON Lines files."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from pathlib import Path

from storyfold.readers.base import Notice, ReadItem, Skipped
from storyfold.readers.decode import declared_html_charset, decode_text, looks_binary
from storyfold.records import RawArticle
from storyfold.represent.text import stable_id

_HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz")
_KNOWN_FIELDS = ("id", "text", "html", "url", "title", "published", "source", "lang")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in (*_HTML_SUFFIXES, *_JSONL_SUFFIXES):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _article_id(path: Path) -> str:
    name = path.name
    for suffix in (*_HTML_SUFFIXES, *_JSONL_SUFFIXES, ".txt", ".text"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _load(path: Path, max_bytes: int) -> bytes | Skipped:
    """The file's bytes (gunzipped), or why they cannot be had."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(
                str(path),
                f"too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB; "
                "raise the limit with --max-bytes)",
            )
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(str(path), f"cannot read: {exc.strerror or exc}")
    if path.name.lower().endswith(".gz"):
        try:
            out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, max_bytes + 1)
        except zlib.error as exc:
            return Skipped(str(path), f"not a readable gzip file ({exc})")
        if len(out) > max_bytes:
            return Skipped(str(path), f"more than {max_bytes / 1e6:.1f} MB once decompressed")
        return out
    return data


def _text(
    path: Path, data: bytes, declared: str | None = None
) -> tuple[str, Notice | None] | Skipped:
    origin = str(path)
    if not data.strip():
        return Skipped(origin, "empty file")
    if looks_binary(data):
        return Skipped(origin, "binary file, not text")
    text, encoding = decode_text(data, declared)
    notice = None
    if encoding not in ("utf-8", "utf-8-sig", (declared or "").lower()):
        notice = Notice(origin, f"not UTF-8; read as {encoding}")
    return text, notice


def _read_one(path: Path, max_bytes: int, html: bool) -> Iterator[ReadItem]:
    """One file, one article: its text or page, or why it cannot be read."""
    data = _load(path, max_bytes)
    if isinstance(data, Skipped):
        yield data
        return
    decoded = _text(path, data, declared_html_charset(data) if html else None)
    if isinstance(decoded, Skipped):
        yield decoded
        return
    content, notice = decoded
    if notice:
        yield notice
    if html:
        yield RawArticle(id=_article_id(path), origin=str(path), html=content)
    else:
        yield RawArticle(id=_article_id(path), origin=str(path), text=content)


class TextReader:
    """``.txt`` files: one article each, the id is the file name without extension."""

    def accepts(self, path: Path) -> bool:
        return _suffix(path) in (".txt", ".text")

    def read(self, path: Path, max_bytes: int) -> Iterator[ReadItem]:
        yield from _read_one(path, max_bytes, html=False)


class HtmlReader:
    """``.html`` / ``.htm`` pages, optionally gzipped: one article each."""

    def accepts(self, path: Path) -> bool:
        return _suffix(path) in _HTML_SUFFIXES

    def read(self, path: Path, max_bytes: int) -> Iterator[ReadItem]:
        yield from _read_one(path, max_bytes, html=True)


class JsonlReader:
    """JSON Lines: one article per line with ``id``, ``text`` or ``html`` and
    optional ``url``, ``title``, ``published``, ``source``, ``lang``.  Other
    fields are kept as metadata and never used for decisions."""

    def accepts(self, path: Path) -> bool:
        return _suffix(path) in _JSONL_SUFFIXES

    def read(self, path: Path, max_bytes: int) -> Iterator[ReadItem]:
        # A JSONL file may hold many articles: the size limit applies per line.
        data = _load(path, 1 << 40)
        if isinstance(data, Skipped):
            yield data
            return
        if not data.strip():
            yield Skipped(str(path), "empty file")
            return
        for number, raw_line in enumerate(data.splitlines(), start=1):
            if not raw_line.strip():
                continue
            yield _jsonl_item(path, number, raw_line, max_bytes)


def _jsonl_item(path: Path, number: int, raw_line: bytes, max_bytes: int) -> ReadItem:
    origin = f"{path}:{number}"
    if len(raw_line) > max_bytes:
        return Skipped(origin, f"line too large ({len(raw_line) / 1e6:.1f} MB)")
    text, _ = decode_text(raw_line)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return Skipped(origin, f"invalid JSON ({exc.msg} at column {exc.colno})")
    return record_article(record, origin)


def record_article(record: object, origin: str) -> RawArticle | Skipped:
    """One JSONL record (already parsed) as a raw article, or why it is not one:
    not an object, a known field that is not a string, no text or html."""
    if not isinstance(record, dict):
        return Skipped(origin, f"expected a JSON object, found {type(record).__name__}")
    for name in _KNOWN_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            return Skipped(origin, f"field '{name}' must be a string, found {type(value).__name__}")
    body_text, body_html = record.get("text"), record.get("html")
    if not (body_text and body_text.strip()) and not (body_html and body_html.strip()):
        return Skipped(origin, "no 'text' or 'html' field with content")
    article_id = record.get("id") or stable_id(record.get("source"), body_text or body_html)
    metadata = tuple(
        sorted(
            (k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
            for k, v in record.items()
            if k not in _KNOWN_FIELDS
        )
    )
    return RawArticle(
        id=article_id,
        origin=origin,
        text=body_text if body_text and body_text.strip() else None,
        html=None if body_text and body_text.strip() else body_html,
        url=record.get("url"),
        title=record.get("title"),
        published=record.get("published"),
        source=record.get("source"),
        lang=record.get("lang"),
        metadata=metadata,
    )
