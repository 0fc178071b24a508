"""Readers: files and folders in, raw articles out, nothing lost without a word."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from storyfold.readers.base import Notice, Reader, ReadItem, Skipped
from storyfold.readers.files import HtmlReader, JsonlReader, TextReader

__all__ = ["DEFAULT_READERS", "Notice", "ReadItem", "Reader", "Skipped", "read_inputs"]

DEFAULT_READERS: tuple[Reader, ...] = (TextReader(), HtmlReader(), JsonlReader())


def read_inputs(
    paths: Iterable[str | Path],
    max_bytes: int,
    readers: Sequence[Reader] = DEFAULT_READERS,
) -> Iterator[ReadItem]:
    """Read every input: a file of a known kind, or a folder walked in name order.

    In a folder, files of no known kind (and hidden files) are passed over
    quietly, so a folder may hold notes or gold files beside the articles; a
    file named explicitly that no reader accepts is reported as skipped.
    """
    for given in paths:
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
                yield Skipped(
                    str(path), "unknown kind of file (expected .txt, .html, .htm, .jsonl)"
                )
            else:
                yield from reader.read(path, max_bytes)
        else:
            yield Skipped(str(path), "no such file or folder")


def _reader_for(path: Path, readers: Sequence[Reader]) -> Reader | None:
    return next((r for r in readers if r.accepts(path)), None)
