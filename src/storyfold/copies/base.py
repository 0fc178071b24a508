"""The copy stage's contract."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from storyfold.records import Article, CopyLink
from storyfold.represent.base import Representation, Vectors


class CopyIndex(Protocol):
    """What a copy finder may ask of the articles already stored."""

    def ids_with_hash(self, content_hash: str) -> list[str]: ...

    def ids_with_band_keys(self, keys: list[str]) -> list[str]: ...

    def nearest(
        self, vector: Vectors, k: int, min_cosine: float, day: int | None = None, window: int = 0
    ) -> list[tuple[str, float]]: ...

    def article_day(self, article_id: str) -> int: ...

    def representation(self, article_id: str) -> Representation | None: ...

    def sentence_vectors(self, article_id: str) -> Vectors | None: ...

    def put_sentence_vectors(self, article_id: str, vectors: Vectors) -> None: ...

    def article(self, article_id: str) -> Article | None: ...


class LeadSearch(Protocol):
    """What a copy finder may ask of the store before a batch."""

    def prepare_nearest(
        self, vectors: Sequence[Vectors], published: Sequence[str | None], window: int
    ) -> None: ...


class CopyFinder(Protocol):
    """Finds the stored article that ``article`` is a copy of, if any.

    ``article`` is itself already in the index (the engine stores it first, so
    what the check computes for it is kept); a finder never links it to itself.

    The link it returns points from the new article to the stored one; which of
    the two is the original is the engine's decision (earliest published, else
    first seen).
    """

    def band_keys(self, rep: Representation) -> list[str]: ...

    def prepare(
        self, batch: Sequence[Article], reps: Sequence[Representation], index: LeadSearch
    ) -> None:
        """Called before a batch is stored and checked article by article:
        work the batch's checks share can be done here, at once."""
        ...

    def find(self, article: Article, rep: Representation, index: CopyIndex) -> CopyLink | None: ...


class NoCopies:
    """The do-nothing copy finder: no article is a copy."""

    def band_keys(self, rep: Representation) -> list[str]:
        return []

    def prepare(
        self, batch: Sequence[Article], reps: Sequence[Representation], index: LeadSearch
    ) -> None:
        return None

    def find(self, article: Article, rep: Representation, index: CopyIndex) -> CopyLink | None:
        return None
