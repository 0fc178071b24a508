"""The digest stage's contract."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from storyfold.digest.extract import ArticleExtract
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


@runtime_checkable
class ExtractingDigester(Digester, Protocol):
    """A digester that reads each article once, at ingest, into an extract the
    store keeps, and writes a story's digest from its members' extracts."""

    def extract(self, members: Sequence[tuple[Article, Representation]]) -> list[ArticleExtract]:
        """What the digest needs of each article (one batch, one spaCy run)."""
        ...

    def digest(
        self,
        story: str,
        members: Sequence[tuple[Article, Representation, str | None]],
        extracts: Mapping[str, ArticleExtract] | None = None,
    ) -> Digest:
        """As ``Digester.digest``; a member missing from ``extracts`` is read here."""
        ...
