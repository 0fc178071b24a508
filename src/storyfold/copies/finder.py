"""The default copy finder: exact hash, then MinHash LSH, then embeddings
confirmed by sentence alignment."""

from __future__ import annotations

from collections.abc import Callable

from storyfold.config import Settings
from storyfold.copies.align import aligned_sentences
from storyfold.copies.base import CopyIndex
from storyfold.copies.lexical import aligned_lexically, word_sets
from storyfold.records import Article, CopyLink
from storyfold.represent.base import Representation, Vectors
from storyfold.represent.minhash import band_keys, estimated_jaccard

# Below this share of sentences aligned by words, a same-language pair is not
# worth a model call: on wmt21-dev English families, rewrites align 0.79 or more
# of their sentences by words (5th percentile); different articles 0.40 at most.
_GRAY_SHARE = 0.2


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

    def _confirmed(self, aligned: int, share: float) -> bool:
        return aligned >= self.settings.min_aligned and share >= self.settings.aligned_share

    def _sentence_vectors(self, rep: Representation, index: CopyIndex) -> Vectors:
        cached = index.sentence_vectors(rep.article)
        if cached is None:
            cached = self.embed(rep)
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
        own_words = word_sets(rep.sentences)
        floor = min(s.rewrite_candidate_cosine, s.translation_candidate_cosine)
        # the article itself is in the index already and comes back first
        day = index.article_day(article.id)
        for other, cosine in index.nearest(
            rep.lead, self.candidates + 1, floor, day, s.copy_window_days
        ):
            other_rep = index.representation(other)
            other_article = index.article(other)
            if other == article.id or other_rep is None or other_article is None:
                continue
            translated = (
                bool(article.lang and other_article.lang) and article.lang != other_article.lang
            )
            if cosine < (
                s.translation_candidate_cosine if translated else s.rewrite_candidate_cosine
            ):
                continue
            # Words first: a same-language rewrite keeps most of its source's
            # words, sentence by sentence, and costs no model call.
            short, long = sorted((own_words, word_sets(other_rep.sentences)), key=len)
            aligned = aligned_lexically(short, long)
            share = aligned / max(1, len(short))
            method = "words"
            if not self._confirmed(aligned, share) and (translated or share >= _GRAY_SHARE):
                if own is None:
                    own = self._sentence_vectors(rep, index)
                theirs = self._sentence_vectors(other_rep, index)
                shorter, longer = sorted((own, theirs), key=len)
                aligned = aligned_sentences(
                    shorter,
                    longer,
                    s.translation_match_cosine if translated else s.sentence_match_cosine,
                )
                share = aligned / max(1, len(shorter))
                method = "embeddings"
            if self._confirmed(aligned, share):
                return CopyLink(
                    article.id,
                    other,
                    "translation" if translated else "rewrite",
                    round(share, 4),
                    (
                        ("cosine", round(cosine, 4)),
                        ("aligned_sentences", float(aligned)),
                        ("aligned_share", round(share, 4)),
                        ("jaccard", estimated_jaccard(rep.signature, other_rep.signature)),
                        ("by_embeddings", float(method == "embeddings")),
                    ),
                )
        return None
