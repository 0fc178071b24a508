"""The readers' contract: a path in, raw articles and skipped inputs out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from storyfold.records import RawArticle


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be read, with where it is and why."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something worth telling about an input that was read all the same."""

    origin: str
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


ReadItem = RawArticle | Skipped | Notice


class Reader(Protocol):
    """Reads one kind of file.  Yields every article it can and a Skipped for
    each part it cannot: a bad part never hides the good ones."""

    def accepts(self, path: Path) -> bool: ...

    def read(self, path: Path, max_bytes: int) -> Iterator[ReadItem]: ...
