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

    # --- fetching (feeds and the pages they link to) ---------------------------
    fetch_timeout: float = 20.0
    """Seconds to wait for a connection or a read before giving up on a try."""

    fetch_retries: int = 2
    fetch_backoff: float = 2.0
    """Further tries after a transient failure (5xx, timeout, refused
    connection), waiting ``fetch_backoff * 2**n`` seconds: 2 s then 4 s rides
    out a server restart without hammering a sick host."""

    fetch_host_delay: float = 1.0
    """Seconds between two requests to one host, unless its robots.txt asks for
    more with Crawl-delay: one request a second is the common courtesy."""

    short_summary_words: int = 60
    """A feed item whose body is shorter than this carries a teaser, not the
    article: the linked page is fetched instead.  Full-text feeds send hundreds
    of words; teasers are one or two sentences (20-50 words)."""

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
    translation_candidate_cosine: float = 0.60
    """Lead-embedding cosine above which a pair is checked by sentence alignment:
    the first for two articles in one language, the second across languages.
    On wmt21-dev English families, same-article pairs have lead cosine 0.88 or
    more (10th percentile) and different articles 0.45 at most; translations
    sit lower: 0.80 keeps 13% of them, 0.60 keeps 89% (docs/embedder-choice.md).
    Alignment then rejects the same-event reports a low threshold lets in."""

    sentence_match_cosine: float = 0.75
    translation_match_cosine: float = 0.60
    """Two sentences align by embeddings when their cosine is at least this, in
    one language or across languages (same-language pairs are aligned by words
    first).  Sentences of a German article and its French translation score
    0.55 to 0.86 (wmt21-dev de-fr), same-language rewrites higher."""

    aligned_share: float = 0.6
    min_aligned: int = 4
    """A pair is a rewrite or translation when at least ``aligned_share`` of the
    shorter article's sentences, and at least ``min_aligned`` sentences, align in
    order with the other's.  wmt21-dev English rewrites align 0.79 or more (5th
    percentile, by words); ECB+ dev reports of one event written independently
    put 0.94% of their pairs in one family at (0.5, 3), through short articles
    sharing three or four sentences; (0.6, 4) is the stricter default
    (bench/eval_copies.py)."""

    # --- stories -------------------------------------------------------------
    story_weights: tuple[float, float, float, float] = (5.48, 1.53, 0.91, 2.39)
    story_bias: float = -3.45
    """Logistic model of "same event" over the cosines of names, content words,
    content word pairs and lead embedding (in that order) between an article and
    a story.  Fitted by bench/calibrate_stories.py on ECB+ dev pairs of articles
    of the same topic (the hard cases: same kind of event)."""

    story_threshold: float = -0.5
    """Log-odds at or above which an article joins a story; below it opens a new
    one.  Chosen by bench/calibrate_stories.py (grouped by topic) on ECB+ dev."""

    long_report_words: int = 350
    long_report_content: float = 0.28
    """Between long reports (the article and its story's articles at least
    ``long_report_words`` words on average), joining also needs a content-word
    cosine of ``long_report_content``.  ECB+ dev holds no two events with the
    same actors; the seeds do (2022 vs 2024).  The rule separates the seeds'
    events (content cosine 0.26 across them, 0.33 and 0.40 within) and costs
    ECB+ dev B3 F1 0.006 (0.878 -> 0.872; bench/calibrate_stories.py)."""

    story_window_days: int = 21
    """An article whose date lies more than this many days from a story's dates
    does not join it, however similar: the same people's next event is a new story."""

    # --- digest --------------------------------------------------------------
    digest_every_batches: int = 8
    """Digests of the stories an ingest touches are written at the end of the
    ingest, or after this many batches if it runs longer: a story growing
    over many batches is digested once, not once a batch.  Not tuned: bounds
    how long a digest lags behind its story during a long ingest (8 x 64
    articles).  Until written, a digest is marked stale in the store."""

    summary_sentences: int = 3
