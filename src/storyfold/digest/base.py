"""The digest stage's contract."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from storyfold.records import Article, Digest
from storyfold.represent.base import Representation


class Digester(Protocol):
    """Writes one story's digest from its articles (in arrival order)."""

    def digest(
        self, story: str, members: Sequence[tuple[Article, Representation, str | None]]
    ) -> Digest:
        """``members`` holds each article, its representation and the id of the
        article it is a copy of (None for originals)."""
        ...
