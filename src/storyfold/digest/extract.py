"""What the digest keeps of one article, read once at ingest and stored.

A story's digest needs, of each member, its quotations with their speakers, its
named entities and mentioned dates (spaCy's reading of the body), and a TF-IDF
vector for each of its sentences (the summary's centrality and the coverage
claims).  Reading them is the digest's main cost, so it is done once per
article, when the article is ingested, and kept in the store's
``article_extracts`` table; a story's digest then only aggregates.

Stored row (``Store.put_extract`` / ``Store.extracts``):

- ``data``: JSON ``{"quotes": [[text, speaker, person], ...], "mentions":
  [[text, type], ...], "dates": [text, ...]}``.
- ``vectors``: the sentence vectors, all little-endian: ``u32 n`` (the number of
  sentences of the article's representation), then ``2n`` u32 counts ``k``
  (sentence 0's summary vector, sentence 0's claim vector, sentence 1's ...),
  then each vector in that order as ``k`` u32 bucket indices followed by ``k``
  float32 weights (the sparse layout of ``storyfold.represent.terms``).  A
  sentence too short to be a claim has a claim vector with ``k = 0``.
- ``version``: ``EXTRACT_VERSION``; a row of another version is read again.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from storyfold.digest.entities import TYPES, Mention
from storyfold.digest.quotes import Found
from storyfold.records import Article
from storyfold.represent.base import Representation, Sparse, Vectors

# Raise when what an extract holds, or how it is read, changes: stored extracts
# of another version are read again from the article on its story's next digest.
EXTRACT_VERSION = 1

_EMPTY: Sparse = (np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float32))


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What one article body yields: its quotations, names and dates."""

    quotes: tuple[Found, ...]
    mentions: tuple[Mention, ...]
    dates: tuple[str, ...]


@dataclass(frozen=True, eq=False, slots=True)
class ArticleExtract:
    """One article's facts and its sentences' TF-IDF vectors (sparse).

    ``sentences[i]`` is the summary vector of the representation's sentence
    ``i``; ``claims[i]`` its coverage vector (hyphenated words joined), empty for
    a sentence too short to be a claim."""

    article: str
    content_hash: str
    facts: ArticleFacts
    sentences: tuple[Sparse, ...]
    claims: tuple[Sparse, ...]

    def fits(self, content_hash: str, sentences: int) -> bool:
        """Whether this extract was made from the article as it is stored."""
        return self.content_hash == content_hash and len(self.sentences) == sentences


def missing(
    members: Sequence[tuple[Article, Representation, str | None]],
    extracts: Mapping[str, ArticleExtract],
) -> list[tuple[Article, Representation]]:
    """The members without a usable extract in ``extracts``: none stored, or one
    made from other content."""
    return [
        (a, r)
        for a, r, _ in members
        if (e := extracts.get(a.id)) is None or not e.fits(a.content_hash, len(r.sentences))
    ]


def sparse(row: Vectors) -> Sparse:
    """A dense TF-IDF row as its non-zero buckets and weights."""
    indices = np.flatnonzero(row).astype(np.uint32)
    return indices, row[indices].astype(np.float32)


def empty() -> Sparse:
    return _EMPTY


def extract_to_row(extract: ArticleExtract) -> tuple[str, bytes]:
    """``(data, vectors)`` as stored; see the module docstring for the layout."""
    facts = extract.facts
    data = json.dumps(
        {
            "quotes": [[q.text, q.speaker, q.person] for q in facts.quotes],
            "mentions": [[m.text, m.type] for m in facts.mentions],
            "dates": list(facts.dates),
        },
        ensure_ascii=False,
    )
    vectors = [v for pair in zip(extract.sentences, extract.claims, strict=True) for v in pair]
    counts = [len(v[0]) for v in vectors]
    head = struct.pack(f"<{1 + len(counts)}I", len(extract.sentences), *counts)
    body = b"".join(v[0].astype("<u4").tobytes() + v[1].astype("<f4").tobytes() for v in vectors)
    return data, head + body


def extract_from_row(article: str, content_hash: str, data: str, blob: bytes) -> ArticleExtract:
    """An extract as stored by ``extract_to_row``."""
    parsed = json.loads(data)
    facts = ArticleFacts(
        tuple(Found(str(t), str(s), bool(p)) for t, s, p in parsed["quotes"]),
        tuple(
            Mention(str(t), kind, article)
            for t, kind in parsed["mentions"]
            if kind in TYPES.values()
        ),
        tuple(str(d) for d in parsed["dates"]),
    )
    (n,) = struct.unpack_from("<I", blob, 0)
    counts = struct.unpack_from(f"<{2 * n}I", blob, 4)
    offset = 4 * (1 + 2 * n)
    vectors: list[Sparse] = []
    for k in counts:
        indices = np.frombuffer(blob, dtype="<u4", count=k, offset=offset).astype(np.uint32)
        offset += 4 * k
        weights = np.frombuffer(blob, dtype="<f4", count=k, offset=offset).astype(np.float32)
        offset += 4 * k
        vectors.append((indices, weights))
    return ArticleExtract(article, content_hash, facts, tuple(vectors[0::2]), tuple(vectors[1::2]))


def stack(vectors: Sequence[Sparse]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse vectors as one CSR-like triple: indices, weights and the start of
    each vector's run (``len(vectors) + 1`` offsets)."""
    sizes = np.array([len(v[0]) for v in vectors], dtype=np.int64)
    starts = np.zeros(len(vectors) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    if not vectors:
        return np.zeros(0, np.uint32), np.zeros(0, np.float32), starts
    indices = np.concatenate([v[0] for v in vectors]).astype(np.intp)
    weights = np.concatenate([v[1] for v in vectors]).astype(np.float32)
    return indices, weights, starts


def dots(indices: np.ndarray, weights: np.ndarray, starts: np.ndarray, row: Vectors) -> Vectors:
    """The dot product of each stacked sparse vector with the dense ``row``."""
    products = weights * row[indices]
    totals = np.zeros(len(starts) - 1, dtype=np.float32)
    nonempty = starts[:-1] < starts[1:]
    if products.size:
        totals[nonempty] = np.add.reduceat(products, starts[:-1][nonempty])
    return totals
