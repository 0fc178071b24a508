"""The default copy finder: exact hash, then MinHash LSH, then embeddings
confirmed by sentence alignment."""

from __future__ import annotations

from collections.abc import Callable

from storyfold.config import Settings
from storyfold.copies.align import aligned_sentences
from storyfold.copies.base import CopyIndex
from storyfold.records import Article, CopyKind, CopyLink
from storyfold.represent.base import Representation, Vectors
from storyfold.represent.minhash import band_keys, estimated_jaccard


class LayeredCopyFinder:
    """Finds exact, near, rewritten and translated copies, cheapest test first.

    ``embed`` gives a representation's sentence embeddings; it is called only
    for candidate pairs, and its result is kept in the index.
    """

    def __init__(
        self,
        settings: Settings,
        embed: Callable[[Representation], Vectors],
        candidates: int = 10,
    ) -> None:
        self.settings = settings
        self.embed = embed
        self.candidates = candidates

    def _sentence_vectors(self, rep: Representation, index: CopyIndex, stored: bool) -> Vectors:
        cached = index.sentence_vectors(rep.article) if stored else None
        if cached is None:
            cached = self.embed(rep)
            if stored:
                index.put_sentence_vectors(rep.article, cached)
        return cached

    def band_keys(self, rep: Representation) -> list[str]:
        return band_keys(rep.signature, self.settings.lsh_bands)

    def find(self, article: Article, rep: Representation, index: CopyIndex) -> CopyLink | None:
        s = self.settings
        exact = [i for i in index.ids_with_hash(article.content_hash) if i != article.id]
        if exact:
            return CopyLink(article.id, exact[0], "exact", 1.0, (("jaccard", 1.0),))

        best: tuple[float, str] | None = None
        for other in index.ids_with_band_keys(self.band_keys(rep)):
            other_rep = index.representation(other)
            if other == article.id or other_rep is None:
                continue
            jaccard = estimated_jaccard(rep.signature, other_rep.signature)
            if jaccard >= s.near_threshold and (best is None or jaccard > best[0]):
                best = (jaccard, other)
        if best is not None:
            return CopyLink(article.id, best[1], "near", best[0], (("jaccard", best[0]),))

        own: Vectors | None = None
        for other, cosine in index.nearest(rep.lead, self.candidates, s.rewrite_candidate_cosine):
            other_rep = index.representation(other)
            if other == article.id or other_rep is None:
                continue
            if own is None:
                own = self._sentence_vectors(rep, index, stored=False)
            theirs = self._sentence_vectors(other_rep, index, stored=True)
            shorter, longer = sorted((own, theirs), key=len)
            aligned = aligned_sentences(shorter, longer, s.sentence_match_cosine)
            share = aligned / max(1, len(shorter))
            if aligned >= s.min_aligned and share >= s.aligned_share:
                other_article = index.article(other)
                kind: CopyKind = (
                    "translation"
                    if other_article is not None
                    and article.lang
                    and other_article.lang
                    and article.lang != other_article.lang
                    else "rewrite"
                )
                return CopyLink(
                    article.id,
                    other,
                    kind,
                    share,
                    (
                        ("cosine", round(cosine, 4)),
                        ("aligned_sentences", float(aligned)),
                        ("aligned_share", round(share, 4)),
                        ("jaccard", estimated_jaccard(rep.signature, other_rep.signature)),
                    ),
                )
        return None
