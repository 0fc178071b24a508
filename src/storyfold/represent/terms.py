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
import itertools
import math
from collections import Counter
from collections.abc import Callable
from importlib.resources import files

import numpy as np

from storyfold.represent.base import Sparse, Vectors

# Keep the heaviest terms only: they carry the event (names, places, numbers).
_MAX_TERMS = 256


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
    """Sublinear TF times smoothed IDF, L2-normalised, hashed to ``dim`` buckets.

    A two-word phrase weighs the mean IDF of its words.
    """

    def __init__(self, dim: int = 4096) -> None:
        self.dim = dim
        self._documents, self._df = _load_df()

    def idf(self, word: str) -> float:
        return math.log((self._documents + 1) / (self._df.get(word, 0) + 1))

    def weigh(self, tokens: list[str]) -> Sparse:
        """The TF-IDF vector of single words."""
        return self._vector(Counter(tokens), self.idf)

    def weigh_phrases(self, tokens: list[str]) -> Sparse:
        """The TF-IDF vector of adjacent word pairs."""
        pairs = Counter(f"{a} {b}" for a, b in itertools.pairwise(tokens))
        return self._vector(pairs, lambda p: sum(map(self.idf, p.split(" "))) / 2)

    def _vector(self, counts: Counter[str], idf: Callable[[str], float]) -> Sparse:
        weights: dict[int, float] = {}
        for term, count in counts.items():
            digest = hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest()
            index = int.from_bytes(digest, "little") % self.dim
            weights[index] = weights.get(index, 0.0) + (1 + math.log(count)) * idf(term)
        top = sorted(weights.items(), key=lambda kv: -kv[1])[:_MAX_TERMS]
        indices = np.array([i for i, _ in top], dtype=np.uint32)
        values = np.array([v for _, v in top], dtype=np.float32)
        norm = float(np.linalg.norm(values))
        if norm > 0:
            values /= norm
        return indices, values

    def dense(self, terms: Sparse) -> Vectors:
        return dense(terms, self.dim)


def dense(terms: Sparse, dim: int) -> Vectors:
    """A sparse term vector written out as a dense row of ``dim`` values."""
    out = np.zeros(dim, dtype=np.float32)
    out[terms[0]] = terms[1]
    return out


def terms_to_blob(terms: Sparse) -> bytes:
    return terms[0].astype("<u4").tobytes() + terms[1].astype("<f4").tobytes()


def terms_from_blob(blob: bytes) -> Sparse:
    k = len(blob) // 8
    indices = np.frombuffer(blob[: 4 * k], dtype="<u4").astype(np.uint32)
    values = np.frombuffer(blob[4 * k :], dtype="<f4").astype(np.float32)
    return indices, values
