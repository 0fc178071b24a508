"""The representation stage: what the copy and story stages compare articles by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Signature = npt.NDArray[np.uint32]
Sparse = tuple[npt.NDArray[np.uint32], Vectors]
"""A sparse vector: (hashed bucket indices, weights)."""


class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> Vectors: ...


@dataclass(frozen=True, eq=False, slots=True)
class Representation:
    """One article's comparable forms.

    ``signature`` is the MinHash of the body's word shingles; ``sentences`` the
    body's first sentences (those copy alignment and the digest look at);
    ``lead`` the embedding of the title and the first three sentences, read
    as one text: what happened, as the lead tells it.  ``names``, ``content``
    and ``phrases`` are sparse TF-IDF vectors of the names (who, where), the
    content words (what) and the content word pairs; ``words`` the body's length.

    Sentence embeddings are not part of it: they cost a model call per sentence
    and are only needed to confirm a copy, so they are made on demand.
    """

    article: str
    signature: Signature
    sentences: tuple[str, ...]
    lead: Vectors
    names: Sparse
    content: Sparse
    phrases: Sparse
    words: int


def normalised_mean(rows: Vectors, dim: int) -> Vectors:
    """The L2-normalised mean of ``rows``; a zero vector when there are none."""
    if len(rows) == 0:
        return np.zeros(dim, dtype=np.float32)
    mean: Vectors = rows.mean(axis=0, dtype=np.float32)
    norm = float(np.linalg.norm(mean))
    return mean / np.float32(norm) if norm > 0 else mean
