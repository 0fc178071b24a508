"""Settings: one typed, frozen, keyword-only dataclass with the packaged defaults.

Every tuned constant says how it was calibrated; re-run the named benchmark after
changing one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    # --- reading -------------------------------------------------------------
    max_input_bytes: int = 10 * 1024 * 1024
    """A file (or JSONL line) larger than this is skipped: no news article is
    10 MB of text, and a runaway file must not stall a batch."""

    batch_size: int = 64
    """Articles per committed batch: a crash loses at most one batch of work."""

    # --- representation ------------------------------------------------------
    embedder: str = "use"
    """``use`` (multilingual USE v3, numpy only) or ``hashing`` (no model).
    Chosen by measurement: see docs/benchmarks.md, "Embedding model"."""

    shingle_size: int = 3
    num_perm: int = 128
    minhash_seed: int = 1

    # --- copies --------------------------------------------------------------
    near_threshold: float = 0.5
    """Estimated word-3-gram Jaccard at or above which two texts are near copies.
    Independent reports of one event stay below 0.05 on ECB+ dev."""

    lsh_bands: int = 32
    """32 bands of 4 rows over 128 permutations: the S-curve's midpoint is
    (1/32)^(1/4) = 0.42, so pairs at Jaccard 0.5 are found with probability
    1 - (1 - 0.5^4)^32 = 0.87 and pairs at 0.6 with 0.99."""

    rewrite_candidate_cosine: float = 0.80
    """Document-embedding cosine above which a pair is checked by sentence
    alignment.  Calibrated by bench/calibrate.py on wmt21-dev (English) and
    ECB+ dev same-story pairs."""

    sentence_match_cosine: float = 0.75
    """Two sentences align when their embeddings' cosine is at least this."""

    aligned_share: float = 0.5
    """A pair is a rewrite or translation when at least this share of the shorter
    article's sentences align, in order, with the other's."""

    min_aligned: int = 3
    """...and at least this many sentences align (short texts share too little)."""

    # --- stories -------------------------------------------------------------
    story_terms_weight: float = 0.7
    """Weight of the TF-IDF cosine in the story score (the rest is the
    embedding cosine).  Calibrated by bench/calibrate_stories.py on ECB+ dev."""

    story_threshold: float = 0.45
    """Score at or above which an article joins a story; below it opens one.
    Calibrated by bench/calibrate_stories.py on ECB+ dev (grouped by topic)."""

    story_window_days: int = 21
    """An article whose date lies more than this many days from a story's dates
    does not join it, however similar: the same people's next event is a new story."""

    # --- digest --------------------------------------------------------------
    summary_sentences: int = 3
