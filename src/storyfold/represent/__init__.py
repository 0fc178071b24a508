"""Represent: hashes, MinHash signatures, sentence and document embeddings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from storyfold.records import Article
from storyfold.represent.base import Embedder, Representation, normalised_mean
from storyfold.represent.minhash import signatures
from storyfold.represent.terms import TermWeigher
from storyfold.represent.text import sentences, shingles

__all__ = ["Embedder", "Representation", "Representer"]


class Representer:
    """Computes each article's signature, sentences and embeddings in batches."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        shingle_size: int = 3,
        num_perm: int = 128,
        seed: int = 1,
        max_sentences: int = 200,
        terms: TermWeigher | None = None,
    ) -> None:
        self.embedder = embedder
        self.terms = terms or TermWeigher()
        self.shingle_size = shingle_size
        self.num_perm = num_perm
        self.seed = seed
        self.max_sentences = max_sentences

    def represent(self, articles: Sequence[Article]) -> list[Representation]:
        sigs = signatures(
            [shingles(a.body, self.shingle_size) for a in articles], self.num_perm, self.seed
        )
        split = [tuple(sentences(a.body)[: self.max_sentences]) for a in articles]
        flat = [s for group in split for s in group]
        vectors = self.embedder.encode(flat)
        out: list[Representation] = []
        start = 0
        for article, sig, group in zip(articles, sigs, split, strict=True):
            rows = vectors[start : start + len(group)]
            start += len(group)
            out.append(
                Representation(
                    article=article.id,
                    signature=sig,
                    sentences=group,
                    sentence_vectors=np.ascontiguousarray(rows, dtype=np.float32),
                    vector=normalised_mean(rows, self.embedder.dim),
                    terms=self.terms.weigh(article.body),
                )
            )
        return out
