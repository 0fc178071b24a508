"""TF-IDF term vectors, hashed into a fixed number of dimensions.

IDF comes from a packaged document-frequency table (``storyfold/data/df.tsv.gz``,
built by ``scripts/build_df.py`` from about a thousand news articles), so that
weights are meaningful from the first article on.  Words are hashed (blake2b)
into ``dim`` buckets: dense vectors a story centroid can be summed into.

Blob layout of a stored term vector: ``k`` little-endian u32 bucket indices
followed by ``k`` little-endian float32 weights (``k = len(blob) // 8``).
"""

from __future__ import annotations

import gzip
import hashlib
import math
from collections import Counter
from importlib.resources import files

import numpy as np
import numpy.typing as npt

from storyfold.represent.base import Vectors
from storyfold.represent.text import words

# Words of one or two characters are mostly function words and numbers' pieces.
_MIN_WORD = 3
# Keep the heaviest terms only: they carry the event (names, places, numbers).
_MAX_TERMS = 256

Sparse = tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32]]


def _load_df() -> tuple[int, dict[str, int]]:
    path = files("storyfold") / "data" / "df.tsv.gz"
    with gzip.open(str(path), "rt", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        total = int(header[1])
        table = {}
        for line in f:
            word, count = line.rstrip("\n").split("\t")
            table[word] = int(count)
    return total, table


class TermWeigher:
    """Sublinear TF times smoothed IDF, L2-normalised, hashed to ``dim`` buckets."""

    def __init__(self, dim: int = 4096) -> None:
        self.dim = dim
        self._documents, self._df = _load_df()
        self._bucket: dict[str, int] = {}

    def _index(self, word: str) -> int:
        bucket = self._bucket.get(word)
        if bucket is None:
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=4).digest()
            bucket = int.from_bytes(digest, "little") % self.dim
            self._bucket[word] = bucket
        return bucket

    def weigh(self, text: str) -> Sparse:
        counts = Counter(w for w in words(text) if len(w) >= _MIN_WORD)
        weights: dict[int, float] = {}
        for word, count in counts.items():
            idf = math.log((self._documents + 1) / (self._df.get(word, 0) + 1))
            index = self._index(word)
            weights[index] = weights.get(index, 0.0) + (1 + math.log(count)) * idf
        top = sorted(weights.items(), key=lambda kv: -kv[1])[:_MAX_TERMS]
        indices = np.array([i for i, _ in top], dtype=np.uint32)
        values = np.array([v for _, v in top], dtype=np.float32)
        norm = float(np.linalg.norm(values))
        if norm > 0:
            values /= norm
        return indices, values

    def dense(self, terms: Sparse) -> Vectors:
        out = np.zeros(self.dim, dtype=np.float32)
        out[terms[0]] = terms[1]
        return out


def terms_to_blob(terms: Sparse) -> bytes:
    return terms[0].astype("<u4").tobytes() + terms[1].astype("<f4").tobytes()


def terms_from_blob(blob: bytes) -> Sparse:
    k = len(blob) // 8
    indices = np.frombuffer(blob[: 4 * k], dtype="<u4").astype(np.uint32)
    values = np.frombuffer(blob[4 * k :], dtype="<f4").astype(np.float32)
    return indices, values
