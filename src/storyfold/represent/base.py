"""The representation stage: what the copy and story stages compare articles by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Signature = npt.NDArray[np.uint32]


class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> Vectors: ...


@dataclass(frozen=True, eq=False, slots=True)
class Representation:
    """One article's comparable forms.

    ``signature`` is the MinHash of the body's word shingles; ``sentences`` the
    body split into sentences and ``sentence_vectors`` their embeddings (one row
    each); ``vector`` the normalised mean of those rows, the document embedding.
    """

    article: str
    signature: Signature
    sentences: tuple[str, ...]
    sentence_vectors: Vectors
    vector: Vectors
    terms: tuple[npt.NDArray[np.uint32], Vectors]
    """The heaviest TF-IDF terms: (hashed bucket, weight) arrays."""


def normalised_mean(rows: Vectors, dim: int) -> Vectors:
    """The L2-normalised mean of ``rows``; a zero vector when there are none."""
    if len(rows) == 0:
        return np.zeros(dim, dtype=np.float32)
    mean = rows.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm > 0 else mean).astype(np.float32)
