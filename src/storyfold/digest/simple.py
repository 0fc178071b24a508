"""Digest v0: a title, the sources, and a few central, non-redundant sentences.

Sentences are compared by TF-IDF vectors of their names and content words
(cheap, no model call); a story's centre is the sum of its original articles'
vectors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from storyfold.digest.extract import dots, sparse, stack
from storyfold.outlets import outlet_name
from storyfold.records import Article, Digest, SummarySentence
from storyfold.represent.base import Representation, Sparse, Vectors
from storyfold.represent.terms import TermWeigher
from storyfold.represent.text import names_and_content

# A sentence is cited by every article holding a sentence at least this close to
# it (the same sentence, or a light edit of it), and by that article's copies.
_CITE_COSINE = 0.6
# Sentences closer than this to one already chosen say the same thing again.
_REDUNDANT_COSINE = 0.4
_MIN_WORDS, _MAX_WORDS = 8, 60
# A slight lead bias: news puts what happened first.
_POSITION_PENALTY = 0.01

Member = tuple[Article, Representation, str | None]


def source_of(article: Article) -> str | None:
    """The outlet: the input's source, else the host of its URL."""
    return outlet_name(article.source, article.url)


class CentralSentences:
    """Picks the sentences closest to the story's centre, skipping repeats."""

    def __init__(self, terms: TermWeigher, sentences: int = 3) -> None:
        self.terms = terms
        self.sentences = sentences

    def vector(self, text: str) -> Vectors:
        """A sentence's TF-IDF vector over its names and content words."""
        names, content = names_and_content(text)
        return self.terms.dense(self.terms.weigh(names + content))

    def digest(
        self,
        story: str,
        members: Sequence[Member],
        vectors: Mapping[str, Sequence[Sparse]] | None = None,
    ) -> Digest:
        """``vectors`` may hold articles' sentence vectors made before
        (``ArticleExtract.sentences``); the others are made here."""
        originals = [(a, r) for a, r, copy_of in members if copy_of is None] or [
            (a, r) for a, r, _ in members
        ]
        given = vectors or {}
        rows = {
            a.id: given.get(a.id) or [sparse(self.vector(s)) for s in r.sentences]
            for a, r, _ in members
        }
        centre = np.zeros(self.terms.dim, dtype=np.float32)
        for article, _ in originals:
            for indices, weights in rows[article.id]:
                np.add.at(centre, indices.astype(np.intp), weights)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)

        candidates: list[tuple[float, int, int, str, Sparse]] = []
        for index, (article, rep) in enumerate(originals):
            for position, (text, row) in enumerate(
                zip(rep.sentences, rows[article.id], strict=True)
            ):
                if _MIN_WORDS <= len(text.split()) <= _MAX_WORDS:
                    score = float(row[1] @ centre[row[0]]) - _POSITION_PENALTY * min(position, 10)
                    candidates.append((score, index, position, text, row))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        chosen: list[tuple[float, int, int, str, Vectors]] = []
        for score, index, position, text, row in candidates:
            if len(chosen) == self.sentences:
                break
            if all(float(row[1] @ c[4][row[0]]) < _REDUNDANT_COSINE for c in chosen):
                chosen.append((score, index, position, text, self.terms.dense(row)))
        chosen.sort(key=lambda c: (c[1], c[2]))
        stacked = {a.id: stack(rows[a.id]) for a, _, _ in members}
        summary = tuple(
            SummarySentence(text, _citing(row, members, stacked)) for _, _, _, text, row in chosen
        )
        return Digest(
            story=story,
            title=_title(originals),
            sources=_sources([a for a, _, _ in members]),
            summary=summary,
        )


def _title(originals: list[tuple[Article, Representation]]) -> str:
    lead = np.sum([r.lead for _, r in originals], axis=0)
    titled = [(float(r.lead @ lead), -a.seen, a.title) for a, r in originals if a.title]
    if titled:
        return max(titled)[2] or ""
    first = min(originals, key=lambda pair: pair[0].seen)[1]
    words = (first.sentences[0] if first.sentences else "").split()
    return " ".join(words[:14]) + (" …" if len(words) > 14 else "")


def _sources(articles: list[Article]) -> tuple[str, ...]:
    counts: dict[str, int] = {}
    for article in articles:
        name = source_of(article)
        if name:
            counts[name] = counts.get(name, 0) + 1
    return tuple(sorted(counts, key=lambda s: (-counts[s], s)))


def _citing(
    row: Vectors,
    members: Sequence[Member],
    stacked: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[str, ...]:
    cited = {
        article.id
        for article, _, _ in members
        if bool(np.any(dots(*stacked[article.id], row) >= _CITE_COSINE))
    }
    cited |= {article.id for article, _, copy_of in members if copy_of in cited}
    return tuple(article.id for article, _, _ in members if article.id in cited)
