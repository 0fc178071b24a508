"""Digest v0: a title, the sources, and a few central, non-redundant sentences."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import numpy as np

from storyfold.records import Article, Digest, SummarySentence
from storyfold.represent.base import Representation, normalised_mean

# A summary sentence is cited by every article holding a sentence at least this
# close to it: equal sentences, light edits and (for multilingual embeddings)
# translations.
_CITE_COSINE = 0.85
# Sentences more similar than this to one already chosen say the same thing again.
_REDUNDANT_COSINE = 0.75
_MIN_WORDS, _MAX_WORDS = 8, 60


def source_of(article: Article) -> str | None:
    """The outlet: the input's source, else the host of its URL."""
    if article.source:
        return article.source
    if article.url:
        host = urlsplit(article.url).hostname or ""
        return host.removeprefix("www.") or None
    return None


class CentralSentences:
    """Picks the sentences closest to the story's centre, skipping repeats."""

    def __init__(self, sentences: int = 3) -> None:
        self.sentences = sentences

    def digest(
        self, story: str, members: Sequence[tuple[Article, Representation, str | None]]
    ) -> Digest:
        originals = [(a, r) for a, r, copy_of in members if copy_of is None] or [
            (a, r) for a, r, _ in members
        ]
        dim = members[0][1].vector.shape[0]
        centre = normalised_mean(np.vstack([r.vector for _, r in originals]), dim)
        title = _title(originals, centre)
        sources = _sources([a for a, _, _ in members])

        candidates: list[tuple[float, int, int, str, np.ndarray]] = []
        for index, (_, rep) in enumerate(originals):
            for position, (text, vector) in enumerate(
                zip(rep.sentences, rep.sentence_vectors, strict=True)
            ):
                if _MIN_WORDS <= len(text.split()) <= _MAX_WORDS:
                    # A slight lead bias: news puts what happened first.
                    score = float(vector @ centre) - 0.01 * min(position, 10)
                    candidates.append((score, index, position, text, vector))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        chosen: list[tuple[float, int, int, str, np.ndarray]] = []
        for candidate in candidates:
            if len(chosen) == self.sentences:
                break
            if all(float(candidate[4] @ c[4]) < _REDUNDANT_COSINE for c in chosen):
                chosen.append(candidate)
        chosen.sort(key=lambda c: (c[1], c[2]))
        summary = tuple(
            SummarySentence(text, _citing(vector, members)) for _, _, _, text, vector in chosen
        )
        return Digest(story=story, title=title, sources=sources, summary=summary)


def _title(originals: list[tuple[Article, Representation]], centre: np.ndarray) -> str:
    titled = [(float(r.vector @ centre), a.seen, a.title) for a, r in originals if a.title]
    if titled:
        return max(titled, key=lambda t: (t[0], -t[1]))[2] or ""
    first = min(originals, key=lambda pair: pair[0].seen)[1]
    lead = first.sentences[0] if first.sentences else ""
    words = lead.split()
    return " ".join(words[:14]) + (" …" if len(words) > 14 else "")


def _sources(articles: list[Article]) -> tuple[str, ...]:
    counts: dict[str, int] = {}
    for article in articles:
        name = source_of(article)
        if name:
            counts[name] = counts.get(name, 0) + 1
    return tuple(sorted(counts, key=lambda s: (-counts[s], s)))


def _citing(
    vector: np.ndarray, members: Sequence[tuple[Article, Representation, str | None]]
) -> tuple[str, ...]:
    cited = []
    for article, rep, _ in members:
        if (
            len(rep.sentence_vectors)
            and float(np.max(rep.sentence_vectors @ vector)) >= _CITE_COSINE
        ):
            cited.append(article.id)
    return tuple(cited)
