"""Represent: hashes, MinHash signatures, sentence and document embeddings."""

from __future__ import annotations

from collections.abc import Sequence

from storyfold.records import Article
from storyfold.represent.base import Embedder, Representation, Vectors
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
        max_sentences: int = 40,
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
        # One model call for the batch, one text per article: the lead.
        leads = self.embedder.encode(
            [" ".join(_lead(a, group)) for a, group in zip(articles, split, strict=True)]
        )
        out: list[Representation] = []
        for article, sig, group, lead in zip(articles, sigs, split, leads, strict=True):
            names, content = names_and_content(
                "\n".join(p for p in (article.title, article.body) if p)
            )
            out.append(
                Representation(
                    article=article.id,
                    signature=sig,
                    sentences=group,
                    lead=lead,
                    names=self.terms.weigh(names),
                    content=self.terms.weigh(content),
                    phrases=self.terms.weigh_phrases(content),
                    words=len(article.body.split()),
                )
            )
        return out

    def embed_sentences(self, rep: Representation) -> Vectors:
        """The embeddings of the representation's sentences, one row each."""
        return self.embedder.encode(list(rep.sentences))


# The lead: a news article tells what happened in its title and first sentences.
_LEAD_SENTENCES = 3


def _lead(article: Article, group: tuple[str, ...]) -> list[str]:
    head = list(group[:_LEAD_SENTENCES])
    return [article.title, *head] if article.title else head or [article.body[:500]]
