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

    # --- cleaning ------------------------------------------------------------
    line_boilerplate_threshold: float = 0.37
    """A plain-text line goes when the line classifier's p(boilerplate) reaches
    this.  Calibrated by 5-fold cross-validation grouped by site on the dev
    pages' plain text, with the rule floor and sure reasons below (fold models
    of ``scripts/train_line_classifier.py``, scored by ``bench/clean.py``):
    F1 scrapinghub / WCXB 0.903 / 0.897 at 0.3, 0.903 / 0.900 at 0.33 and
    0.35, 0.905 / 0.901 at 0.37, 0.900 / 0.903 at 0.4.  0.37 has the best
    lower of the two; the seeds pass at 0.3 and 0.37."""

    line_rule_floor: float = 0.01
    """A line the rules remove stays only when the classifier's p(boilerplate)
    is under this: the model overrules the rules only when it is sure.  The
    seeds' gold needs it (captions and section labels the dev pages' gold
    often keeps come out at p 0.01-0.05); its cost on the dev pages is in
    the cross-validated figures of ``bench/clean.py``."""

    line_sure_reasons: tuple[str, ...] = ("legal", "comments")
    """Rule verdicts that remove a line whatever the classifier says: on the dev
    pages under 1% of such lines are gold body (legal 0.7%, comments 0%; the
    same script prints each reason's share)."""

    html_line_threshold: float = 0.5
    """A candidate line of an HTML page (trafilatura's, or a visible line it left
    out) is body when the HTML line classifier's p(boilerplate) is under this.
    Calibrated by 5-fold cross-validation grouped by site on the HTML dev pages
    (``scripts/train_html_line_classifier.py --thresholds 0.4,0.45,0.5,0.55,0.6``,
    bodies before fallbacks): F1 scrapinghub / WCXB 0.967 / 0.943 at 0.4, 0.966 /
    0.946 at 0.5, 0.967 / 0.946 at 0.6 (trafilatura alone 0.960 / 0.934); the
    middle of that plateau.  Re-run the script, then ``bench/clean.py
    --skip-text``, after changing it."""

    html_min_body_words: int = 40
    """Below this many words trafilatura's body is too little: the HTML cleaner
    tries its fallbacks (favor_recall, the plain-text cleaner over the page's
    visible text) and keeps the longest answer (``bench/clean.py``)."""

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

    rewrite_candidate_cosine: float = 0.50
    translation_candidate_cosine: float = 0.60
    """Lead-embedding cosine above which a pair is checked by sentence alignment:
    the first for two articles in one language, the second across languages
    (the ten nearest leads are looked at; LSH band hits always are).  On
    wmt21-dev English (1,959 texts, words-only alignment), the rewrite
    threshold sets recall: 0.80 -> pairwise R 0.861 (ARI 0.925), 0.70 -> 0.922,
    0.60 -> 0.935, 0.50 -> 0.944 (ARI 0.971), 0.40 -> 0.945, precision 1.000
    throughout; alignment rejects the same-event reports a low threshold lets
    in (ECB+ dev hard negatives: bench/eval_copies.py).  Translations sit lower:
    0.80 keeps 13% of them, 0.60 keeps 89% (docs/embedder-choice.md)."""

    copy_window_days: int = 30
    """Rewrite and translation candidates are searched among articles dated
    (published, else ingested) within this many days of the new one: copies
    follow their original within days, and a window keeps the lead search's
    cost per article flat as the archive grows (bench/copies_scale.py).  Exact
    and near copies are found at any distance."""

    sentence_match_cosine: float = 0.75
    translation_match_cosine: float = 0.60
    """Two sentences align by embeddings when their cosine is at least this, in
    one language or across languages (same-language pairs are aligned by words
    first).  Sentences of a German article and its French translation score
    0.55 to 0.86 (wmt21-dev de-fr), same-language rewrites higher."""

    anchor_overlap: float = 0.6
    anchor_length_ratio: float = 1.8
    anchor_share: float = 0.6
    """A translation with a language the embedder does not cover is confirmed
    by anchors (numbers, names, acronyms; storyfold.copies.anchors): two
    sentences match when they share ``anchor_overlap`` of the smaller anchor
    set and their lengths are within ``anchor_length_ratio``; the pair is a
    copy when ``anchor_share`` of the shorter article's anchored sentences,
    and ``min_aligned`` at least, match in order.  Scored pair by pair as if
    their language were uncovered, the 2,662 independent same-story ECB+ dev
    pairs pass 12 times (0.45%; 0.5/2.0/0.6 passes 16, 0.5/2.0/0.5 with 3
    sentences 178) and wmt21-dev is<->en translation pairs 30% of the time,
    enough to link most families, which need one pair each: on the pinned
    all-language subset of tests/test_copies_quality.py, is-en families reach
    ARI 0.915 (pairwise P 1.000, R 0.875)."""

    aligned_share: float = 0.6
    min_aligned: int = 4
    """A pair is a rewrite or translation when at least ``aligned_share`` of the
    shorter article's sentences, and at least ``min_aligned`` sentences, align in
    order with the other's.  wmt21-dev English rewrites align 0.79 or more (5th
    percentile, by words); ECB+ dev reports of one event written independently
    put 0.94% of their pairs in one family at (0.5, 3), through short articles
    sharing three or four sentences; (0.6, 4) is the stricter default
    (bench/eval_copies.py)."""

    lexical_min_jaccard: float = 0.02
    """Sentences aligned by words confirm a pair only if the two articles also
    share this estimated Jaccard of word 3-grams; below it the pair goes to the
    sentence embeddings.  Short sentences align by their function words alone
    ("..., Bush said."): two ECB+ dev reports of different events, five short
    sentences against a long article, aligned four of five at Jaccard 0.005.
    The 2,866 wmt21-dev English rewrite pairs confirmed by words all share 0.027
    or more (1st percentile 0.057).  With the gate, wmt21-dev families keep
    ARI 0.973 (English) and 0.929 (all languages), and ECB+ dev same-story
    pairs written independently put in one family fall from 9 to 7 of 2,662
    (bench/eval_copies.py)."""

    # --- stories -------------------------------------------------------------
    story_weights: tuple[float, ...] = (2.55, 1.24, 0.69, 1.84, 2.54, -0.19, 2.27, 2.36)
    story_bias: float = -3.7
    """Logistic model of "same event" over the features of
    ``storyfold.stories.online.FEATURES`` (in that order): the cosines of names,
    content words, content word pairs, lead embedding and years (mentioned,
    and a dated article's own), both sides having years, the share of the
    article's names the story has and
    of the story's names the article has.  Fitted by bench/calibrate_stories.py
    on ECB+ dev pairs of articles of the same topic (the hard cases: same kind
    of event), the articles cleaned, represented and copy-linked by the engine's
    own stages."""

    story_threshold: float = -0.25
    """Log-odds at or above which an article joins a story; below it opens a new
    one.  Chosen after the split model by bench/calibrate_stories.py on ECB+
    dev (per-topic streams; grouped by topic for the cross-validated figure)."""

    long_report_words: int = 350
    long_report_content: float = 0.28
    """Between long reports (the article and its story's articles at least
    ``long_report_words`` words on average), joining also needs a content-word
    cosine of ``long_report_content``.  ECB+ dev holds no two events with the
    same actors; the seeds do (2022 vs 2024).  The rule separates the seeds'
    events (content cosine 0.26 across them, 0.33 and 0.40 within).  With the
    shipped model, ECB+ dev per-topic B3 F1 is 0.900 without the rule and
    0.902 with it; without it the seeds fold into one story
    (bench/calibrate_stories.py, the long-report sweep)."""

    story_window_days: int = 90
    """An article whose day lies more than this many days from a story's days
    does not join it, however similar: the same people's next event is a new
    story.  ECB+ dev (days from URLs and date lines) has single events covered
    over weeks: B3 F1 0.865 at 21 days, 0.876 at 90, 0.875 at 365, 0.878 with
    no window; 90 keeps events a season or more apart."""

    story_merge_threshold: float = 4.0
    """Log-odds at or above which two stories are merged after a batch
    (``storyfold.stories.consolidate``).  On ECB+ dev every lower value tried
    (0 to 3) merged the two events of some topic and cost B3 F1 (0.876 -> 0.85
    at 3, 0.82 at 0; bench/calibrate_stories.py); at 4 no dev pair merges, so
    merges are kept for the clear cases the stream itself produces."""

    story_absorb_size: int = 1
    """A story of at most this many articles merges at the joining threshold
    (``story_threshold``), not the strict one: a story that small is a few
    articles that arrived before the story they belong to had its words, and
    the model was fitted on exactly such article-to-story pairs.  ECB+ dev as
    one stream in six orders (file order and five shuffles): mean B3 F1 0.880
    without, 0.884 at 1, 0.876 at 2, 0.860 at 3."""

    story_split_min: int = 4
    story_split_weights: tuple[float, ...] = (
        -3.28,
        0.49,
        0.87,
        -1.69,
        -3.04,
        1.69,
        -2.88,
        -2.88,
        0.74,
    )
    story_split_bias: float = 4.51
    story_split_odds: float = 0.0
    """A story is checked for a split at ``story_split_min`` articles and each
    doubling; its two 2-means halves are split apart when the split model
    (logistic, over ``storyfold.stories.consolidate.SPLIT_FEATURES``, in that
    order) gives log-odds of at least ``story_split_odds`` that cutting helps.
    Fitted by bench/calibrate_stories.py on the 2-means cuts met at split
    checkpoints while streaming ECB+ dev, each weighted by how much cutting
    changes B-cubed F1 over the story's members, up or down.  ECB+ dev
    through the engine, file order and ten shuffles (bench/story_orders.py):
    mean B3 F1 0.919 with it, 0.879 with no cuts but the rules'.  Before it
    (and before a dated article's year counted), cutting when the same-event
    model scored the halves below 1.0 gave a mean of 0.904."""

    story_reassign: bool = True
    """At each split checkpoint (``story_split_min`` and every doubling), each
    member of the story is weighed again against the story without it and the
    nearest other active stories, and moves where the assigner places it
    (``storyfold.stories.consolidate``).  ECB+ dev through the engine in file
    order and ten shuffles (bench/story_orders.py): mean B3 F1 0.900 with it,
    0.895 without; worst order 0.883 / 0.869; the gate's three shuffles spread
    0.015 / 0.035."""

    story_settle_rounds: int = 3
    """At the end of each ingest (and batch) run, the articles it stored are
    weighed again against the stories as they ended up, moving where the
    assigner places them, for up to this many rounds (0: off;
    ``Engine.settle``).  ECB+ dev through the engine (bench/story_orders.py):
    file order 0.871 -> 0.901, the gate's three shuffles 0.892, 0.901, 0.899
    -> 0.893, 0.902, 0.904; it rarely takes more than two rounds."""

    story_candidates: int = 50
    """An article is scored in full against the active stories whose summed
    lead embeddings are nearest to its own, this many at most (one matrix
    product picks them), so the cost per article stays flat as active stories
    grow.  ECB+ dev as one stream gives the same stories with 50 as with all
    (bench/calibrate_stories.py)."""

    story_active_articles: int = 10_000
    story_active_days: int = 7
    """A story is a candidate for a new article while one of the last
    ``story_active_articles`` articles joined it, or, for a dated article, while
    its dates lie within ``story_active_days`` of the article's day (an
    archive ingested out of order still finds its stories).  Bounds the search
    per article whatever the store's size (``bench/story_latency.py``); 10,000
    articles is about a day of a large news feed."""

    story_merge_candidates: int = 5
    """A touched story is scored for a merge against this many active stories,
    the nearest by summed lead embedding."""

    # --- regrouping a closed set (storyfold regroup) ---------------------------
    regroup_weights: tuple[float, ...] = (
        0.719,
        -0.308,
        -0.595,
        1.858,
        3.616,
        -0.503,
        1.571,
        1.665,
        4.072,
        2.964,
        -0.489,
        0.451,
    )
    regroup_bias: float = -3.798
    """Logistic model of "same event" between two articles over the features
    of ``storyfold.stories.regroup.REGROUP_FEATURES`` (in that order): the
    assigner's eight, one article standing as a story, then the shares of
    shared neighbours among the 5 and 10 nearest and the sum and larger of the
    log neighbour ranks, by a TF-IDF of the regrouped set.  Fitted by
    bench/calibrate_regroup.py on the pairs of ECB+ dev articles of one topic
    (two events of the same kind), C = 1: grouped cross-validated B3 F1, mean
    over four topic splits, 0.927 with average linkage alone and 0.951 with
    the word split (``regroup_split_score``), against 0.907 for the online
    engine."""

    regroup_threshold: float = 0.925
    """Average-linkage cut (distance, 1 - probability) of ``storyfold regroup``:
    two groups join while their articles' mean probability of one event is at
    least 0.075.  So loose a cut leaves two events of one kind together; the
    word split (``regroup_split_score``) parts them.  Chosen with
    ``regroup_split_score`` on all of ECB+ dev by bench/calibrate_regroup.py
    (without the word split the best cut is 0.625)."""

    regroup_split_score: float = 1.25
    """A group of ``storyfold regroup`` is cut at its top split where the two
    sides part in words above this score (``word_split_score`` in
    ``storyfold.stories.regroup``: the mean -log10 chance of the strongest
    words one side holds and the other lacks).  Chosen with
    ``regroup_threshold`` on all of ECB+ dev by bench/calibrate_regroup.py
    (the cross-validated folds chose 1 to 2).  Grouped cross-validated B3 F1,
    mean over four topic splits: 0.951 with the split, 0.927 without."""

    regroup_split_terms: int = 25
    """How many of the words that part two sides count in their score.  Mean
    grouped cross-validated B3 F1 over four topic splits on ECB+ dev: 0.938
    with 10 words, 0.940 with 20, 0.951 with 25, 0.950 with 30, 0.944 with 40
    (bench/calibrate_regroup.py --split-terms N, each choosing its own cut and
    split score)."""

    regroup_max_articles: int = 5000
    """``storyfold regroup`` holds every pair of a set's articles (copies
    aside) in memory, several float64 matrices of n x n: grouping 5,000
    articles adds 2.3 GB and takes 24 s here (bench/regroup_scale.py), and
    both grow with the square of n.  Not tuned: a size that fits a laptop."""

    # --- digest --------------------------------------------------------------
    digest_every_batches: int = 8
    """Digests of the stories an ingest touches are written at the end of the
    ingest, or after this many batches if it runs longer: a story growing
    over many batches is digested once, not once a batch.  Not tuned: bounds
    how long a digest lags behind its story during a long ingest (8 x 64
    articles).  Until written, a digest is marked stale in the store."""

    summary_sentences: int = 3


BATCH_STORY_WINDOW = 0
"""``storyfold batch --story-window N`` folds the stories of each N arrivals on
a worker, in parallel, and stitches them at the seams; 0 (the default) folds
every story on the client, serially, exactly as the local ingest does.  Off
by default: the windows' stories differ from the local ingest's once the
input is longer than one window (bench/batch_windows.py, docs/scaling.md: on
30,000 synthetic articles, windows of 10,048 with a full lead-in give B-cubed
F1 0.905 and ARI 0.79 against the serial fold), and on 2 cores they save
little (the lead-in is folded twice).  Worth it on many workers, where the
serial fold bounds the batch."""

BATCH_STORY_LEAD_IN = 10_000
"""The articles before a window that its worker folds again, so that the
stories running across the seam are matched (see ``BATCH_STORY_WINDOW``).
As many as ``story_active_articles``: a story stays a candidate for that many
arrivals, so the window's first article sees the stories the local ingest
would show it, grown from a shorter history.  On the synthetic stream a
shorter lead-in agrees less (bench/batch_windows.py: ARI 0.857 at 512, 0.904
at 2,496, windows of 2,496).  A dated archive denser than
``story_active_articles`` a week also keeps stories active by day: give it a
week of arrivals, and a window several times longer."""
