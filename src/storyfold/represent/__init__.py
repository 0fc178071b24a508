"""Represent: hashes, MinHash signatures, sentence and document embeddings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from storyfold.records import Article
from storyfold.represent.base import Embedder, Representation, normalised_mean
from storyfold.represent.minhash import signatures
from storyfold.represent.terms import TermWeigher
from storyfold.represent.text import names_and_content, sentences, shingles

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
        # One call embeds every title and sentence of the batch.
        texts = [t for a, group in zip(articles, split, strict=True) for t in _titled(a, group)]
        vectors = self.embedder.encode(texts)
        dim = self.embedder.dim
        out: list[Representation] = []
        start = 0
        for article, sig, group in zip(articles, sigs, split, strict=True):
            titled = 1 if article.title else 0
            rows = vectors[start : start + titled + len(group)]
            start += titled + len(group)
            body_rows = np.ascontiguousarray(rows[titled:], dtype=np.float32)
            names, content = names_and_content(
                "\n".join(p for p in (article.title, article.body) if p)
            )
            out.append(
                Representation(
                    article=article.id,
                    signature=sig,
                    sentences=group,
                    sentence_vectors=body_rows,
                    vector=normalised_mean(body_rows, dim),
                    lead=normalised_mean(rows[: titled + _LEAD_SENTENCES], dim),
                    names=self.terms.weigh(names),
                    content=self.terms.weigh(content),
                    phrases=self.terms.weigh_phrases(content),
                    words=len(article.body.split()),
                )
            )
        return out


# The lead: a news article tells what happened in its first sentences.
_LEAD_SENTENCES = 3


def _titled(article: Article, group: tuple[str, ...]) -> list[str]:
    return [article.title, *group] if article.title else list(group)
