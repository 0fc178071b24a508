"""A copy index over one article's candidates, so the copy finder's own ``find``
confirms them exactly as it does against the store.

The local path asks the store for the earlier articles with the same content
hash, those sharing an LSH band key and the nearest by lead embedding.  The
batch path finds those sets with a shuffle (hashes and band keys) and a blocked
nearest-neighbour search, then hands them to the finder through this index.
"""

from __future__ import annotations

from datetime import UTC, datetime

from storyfold.copies.leads import day_number
from storyfold.errors import StoryfoldError
from storyfold.records import Article
from storyfold.represent.base import Representation, Vectors


class CandidateIndex:
    """What the store would answer for one article, from its candidate sets.

    ``records`` holds the article itself and every candidate (earlier articles
    only, as in the store at the moment the local path checks it); ``same_hash``
    is in arrival order, ``nearest`` is the top of the stable ranking by lead
    cosine over the earlier articles and the article itself, and ``limit`` is
    how many of that ranking were kept.  ``vectors`` caches sentence embeddings,
    shared by the articles one task checks.
    """

    def __init__(
        self,
        records: dict[str, tuple[Article, Representation]],
        same_hash: list[str],
        same_band: list[str],
        nearest: list[tuple[str, float]],
        limit: int,
        vectors: dict[str, Vectors],
    ) -> None:
        self._records = records
        self._same_hash = same_hash
        self._same_band = same_band
        self._nearest = nearest
        self._limit = limit
        self._vectors = vectors

    def ids_with_hash(self, content_hash: str) -> list[str]:
        return [i for i in self._same_hash if self._records[i][0].content_hash == content_hash]

    def ids_with_band_keys(self, keys: list[str]) -> list[str]:
        # The shuffle grouped exactly the articles sharing one of these keys.
        return sorted(self._same_band) if keys else []

    def article_day(self, article_id: str) -> int:
        """As the store dates copy candidates: published, else ingested (now:
        the batch writes every article at the end of the run)."""
        record = self._records.get(article_id)
        day = day_number(record[0].published) if record else None
        return day if day is not None else datetime.now(UTC).date().toordinal()

    def nearest(
        self, vector: Vectors, k: int, min_cosine: float, day: int | None = None, window: int = 0
    ) -> list[tuple[str, float]]:
        """The kept ranking, within ``window`` days of ``day`` when given.  The
        batch ranked only the articles in the copy window already
        (:func:`storyfold.batch.tasks.rank_block`), as the store does; the
        filter here keeps the index honest for any other window asked."""
        ranked = self._nearest
        if day is not None:
            ranked = [(i, s) for i, s in ranked if abs(self.article_day(i) - day) <= window]
        if k > self._limit and len(self._nearest) >= self._limit:
            raise StoryfoldError(
                f"the copy finder asked for {k} nearest articles but the batch kept "
                f"{self._limit}; raise BatchOptions.nearest to at least {k}"
            )
        return [(i, score) for i, score in ranked[:k] if score >= min_cosine]

    def representation(self, article_id: str) -> Representation | None:
        record = self._records.get(article_id)
        return None if record is None else record[1]

    def sentence_vectors(self, article_id: str) -> Vectors | None:
        return self._vectors.get(article_id)

    def put_sentence_vectors(self, article_id: str, vectors: Vectors) -> None:
        self._vectors[article_id] = vectors

    def article(self, article_id: str) -> Article | None:
        record = self._records.get(article_id)
        return None if record is None else record[0]
