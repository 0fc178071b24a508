"""The default copy finder: exact hash, then MinHash LSH, then candidates
(lead embeddings and LSH band hits) confirmed by sentence alignment."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from storyfold.config import Settings
from storyfold.copies.align import aligned_sentences
from storyfold.copies.anchors import aligned_by_anchors
from storyfold.copies.base import CopyIndex, LeadSearch
from storyfold.copies.lexical import WordSets, aligned_lexically
from storyfold.records import Article, CopyKind, CopyLink
from storyfold.represent.base import Representation, Vectors
from storyfold.represent.minhash import band_keys, estimated_jaccard

# Below this share of sentences aligned by words, a same-language pair is not
# worth a model call: on wmt21-dev English families, rewrites align 0.79 or more
# of their sentences by words (5th percentile); different articles 0.40 at most.
_GRAY_SHARE = 0.2


class LayeredCopyFinder:
    """Finds exact, near, rewritten and translated copies, cheapest test first.

    ``embed`` gives a representation's sentence embeddings; it is called only
    for candidate pairs, and its result is kept in the index.  ``languages``
    are those the embedder lines up across (None: all); a translation with a
    language outside them is confirmed by anchors (numbers and names, sentence
    by sentence: :mod:`storyfold.copies.anchors`) instead of embeddings.
    """

    def __init__(
        self,
        settings: Settings,
        embed: Callable[[Representation], Vectors],
        candidates: int = 10,
        languages: Collection[str] | None = None,
    ) -> None:
        self.settings = settings
        self.embed = embed
        self.candidates = candidates
        self.languages = None if languages is None else frozenset(languages)
        self.word_sets = WordSets()

    def _confirmed(self, aligned: int, share: float) -> bool:
        return aligned >= self.settings.min_aligned and share >= self.settings.aligned_share

    def _sentence_vectors(self, rep: Representation, index: CopyIndex) -> Vectors:
        cached = index.sentence_vectors(rep.article)
        if cached is None:
            cached = self.embed(rep)
            index.put_sentence_vectors(rep.article, cached)
        return cached

    def covered(self, lang: str | None) -> bool:
        return self.languages is None or (lang or "") in self.languages

    def band_keys(self, rep: Representation) -> list[str]:
        return band_keys(rep.signature, self.settings.lsh_bands)

    def prepare(
        self, batch: Sequence[Article], reps: Sequence[Representation], index: LeadSearch
    ) -> None:
        """The batch's lead searches, multiplied block by block ahead of them
        (:mod:`storyfold.copies.leads`); each ``find`` then reads its cosines."""
        index.prepare_nearest(
            [rep.lead for rep in reps],
            [article.published for article in batch],
            self.settings.copy_window_days,
        )

    def find(self, article: Article, rep: Representation, index: CopyIndex) -> CopyLink | None:
        s = self.settings
        exact = [i for i in index.ids_with_hash(article.content_hash) if i != article.id]
        if exact:
            return CopyLink(article.id, exact[0], "exact", 1.0, (("jaccard", 1.0),))

        best: tuple[float, str] | None = None
        banded: dict[str, float] = {}
        # Representations read once per check: a band hit is a candidate again below.
        reps: dict[str, Representation | None] = {}
        for other in index.ids_with_band_keys(self.band_keys(rep)):
            if other == article.id:
                continue
            other_rep = reps[other] = index.representation(other)
            if other_rep is None:
                continue
            jaccard = estimated_jaccard(rep.signature, other_rep.signature)
            banded[other] = float(rep.lead @ other_rep.lead)
            if jaccard >= s.near_threshold and (best is None or jaccard > best[0]):
                best = (jaccard, other)
        if best is not None:
            return CopyLink(article.id, best[1], "near", best[0], (("jaccard", best[0]),))

        floor = min(s.rewrite_candidate_cosine, s.translation_candidate_cosine)
        day = index.article_day(article.id)
        # the article itself is in the index already and comes back first
        near = index.nearest(rep.lead, self.candidates + 1, floor, day, s.copy_window_days)
        # LSH band hits below the near threshold share word 3-grams: rewrites
        # worth aligning whatever their leads say.
        candidates = dict(near) | {o: c for o, c in banded.items() if o not in dict(near)}
        own: Vectors | None = None
        own_words = self.word_sets(rep.sentences)
        for other, cosine in sorted(candidates.items(), key=lambda oc: -oc[1]):
            if other == article.id:
                continue
            other_rep = reps[other] if other in reps else index.representation(other)
            other_article = index.article(other)
            if other_rep is None or other_article is None:
                continue
            translated = (
                bool(article.lang and other_article.lang) and article.lang != other_article.lang
            )
            if other not in banded and cosine < (
                s.translation_candidate_cosine if translated else s.rewrite_candidate_cosine
            ):
                continue
            if translated and not (self.covered(article.lang) and self.covered(other_article.lang)):
                short, long = sorted((rep.sentences, other_rep.sentences), key=len)
                aligned, anchored = aligned_by_anchors(
                    list(short), list(long), s.anchor_overlap, s.anchor_length_ratio
                )
                share = aligned / max(1, anchored)
                if aligned >= s.min_aligned and share >= s.anchor_share:
                    return self._link(
                        article, rep, other, other_rep, cosine, aligned, share, "anchors", True
                    )
                continue
            # Words first: a same-language rewrite keeps most of its source's
            # words, sentence by sentence, and costs no model call.
            short_words, long_words = sorted(
                (own_words, self.word_sets(other_rep.sentences)), key=len
            )
            aligned = aligned_lexically(short_words, long_words)
            share = aligned / max(1, len(short_words))
            method = "words"
            # Words confirm only with some shared word 3-grams: short sentences
            # align by their function words alone.
            confirmed = self._confirmed(aligned, share) and (
                estimated_jaccard(rep.signature, other_rep.signature) >= s.lexical_min_jaccard
            )
            if not confirmed and (translated or share >= _GRAY_SHARE):
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
                confirmed = self._confirmed(aligned, share)
            if confirmed:
                return self._link(
                    article, rep, other, other_rep, cosine, aligned, share, method, translated
                )
        return None

    def _link(
        self,
        article: Article,
        rep: Representation,
        other: str,
        other_rep: Representation,
        cosine: float,
        aligned: int,
        share: float,
        method: str,
        translated: bool,
    ) -> CopyLink:
        kind: CopyKind = "translation" if translated else "rewrite"
        return CopyLink(
            article.id,
            other,
            kind,
            round(share, 4),
            (
                ("cosine", round(cosine, 4)),
                ("aligned_sentences", float(aligned)),
                ("aligned_share", round(share, 4)),
                ("jaccard", estimated_jaccard(rep.signature, other_rep.signature)),
                ("by_embeddings", float(method == "embeddings")),
                ("by_anchors", float(method == "anchors")),
            ),
        )
