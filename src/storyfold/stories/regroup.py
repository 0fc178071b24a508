"""Regrouping a closed set of articles into stories, every pair weighed at once.

Online assignment decides each article once, against stories as they stand;
consolidation and the run's second look mend what they can.  When the set of
articles is closed (a corpus, an archive), every pair can be weighed at once,
and the grouping can use evidence an online decision cannot have: where two
articles stand among each other's nearest articles of the whole set.

Each pair of articles (copies left out: they follow their originals) gets the
assigner's features (``storyfold.stories.online.FEATURES``, one article
standing as a one-article story) and four more from the set's nearest
neighbours by a TF-IDF of its own words (IDF of the set): the share of each
one's 5 and 10 nearest articles the other has among its own (shared
neighbours), and the log ranks of each among the other's nearest (their sum
and the larger).  Being near in absolute terms says little where a set holds
many reports of one kind of event; being among each other's nearest says more.
A logistic model over those twelve (``Settings.regroup_weights``) gives each
pair's probability of reporting one event; the assigner's rules still hold (a
pair further apart in days than ``story_window_days``, or two long reports
without content words in common, cannot be one event).  Stories are the
groups of average linkage over ``1 - probability``, cut at
``regroup_threshold``, a loose cut: two events of one kind (the same boxer's
two title fights, years apart) are near in every pair feature and stay
together.  What parts them is in their words taken as groups: each event has
words most of its reports hold and the other's lack (the opponent, the
venue, the magnitude).  So each group is then cut at its top split where the
two sides part in words beyond chance (:func:`word_split_score` above
``regroup_split_score``), the parts weighed again.

On ECB+ dev, grouped cross-validation by topic, the whole dev set grouped at
once, mean B3 F1 over four topic splits: 0.951 (0.927 without the word
split), where the online engine reaches 0.907 (bench/calibrate_regroup.py,
bench/calibrate_stories.py --folds-seed N).
Grouping 5,000 articles takes 24 s and 2.3 GB here (bench/regroup_scale.py):
the set is bounded by ``regroup_max_articles``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from scipy.stats import hypergeom
from spacy.lang.en.stop_words import STOP_WORDS

from storyfold.config import Settings
from storyfold.records import Article
from storyfold.represent.base import Representation
from storyfold.represent.terms import dense
from storyfold.represent.text import stable_id
from storyfold.stories.online import FEATURES, FOUND_SHARE, TimeEvidence

REGROUP_FEATURES = (*FEATURES, "shared_5", "shared_10", "rank_sum", "rank_max")
"""The regroup model's pair features, in the order of ``Settings.regroup_weights``."""

Matrix = npt.NDArray[np.float64]


_WORD = re.compile(r"\b\w\w+\b")


def article_text(article: Article) -> str:
    """What regrouping reads of an article: its title and body."""
    return "\n".join(filter(None, (article.title, article.body)))


def word_vectors(texts: Sequence[str]) -> sparse.csr_matrix:
    """Each text's TF-IDF over its words (two letters or more, case-folded,
    spaCy's English stop words left out) and adjacent word pairs, IDF of these
    texts (smoothed), sublinear TF, L2-normalised: one sparse row per text.
    The vocabulary is the texts' own, not hashed: on ECB+ dev, hashing into
    4,096 buckets moved the grouped cross-validated B3 F1 by up to 0.02 with
    the hash function alone (bench/calibrate_regroup.py)."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for k, text in enumerate(texts):
        tokens = [w for w in _WORD.findall(text.casefold()) if w not in STOP_WORDS]
        terms = tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
        for term, count in Counter(terms).items():
            rows.append(k)
            cols.append(vocab.setdefault(term, len(vocab)))
            vals.append(1.0 + math.log(count))
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(vocab)), dtype=np.float64)
    df = np.bincount(x.indices, minlength=len(vocab))
    x = x @ sparse.diags(np.log((1 + len(texts)) / (1 + df)) + 1.0)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sparse.csr_matrix(sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ x)


def neighbour_features(cosines: Matrix) -> tuple[Matrix, Matrix, Matrix, Matrix]:
    """From the articles' similarities: the shares of shared neighbours among
    the 5 and the 10 nearest, and the sum and the larger of the two log ranks
    (``rank[i, j]``: 1 + the number of articles nearer to ``i`` than ``j``)."""
    n = len(cosines)
    near = cosines.astype(np.float64, copy=True)
    np.fill_diagonal(near, -np.inf)
    rank = np.empty((n, n), dtype=np.float64)
    order = np.argsort(-near, axis=1, kind="stable")
    rank[np.arange(n)[:, None], order] = np.arange(1, n + 1, dtype=np.float64)[None, :]
    shared = []
    for k in (5, 10):
        top = (rank <= k).astype(np.float64)
        shared.append(top @ top.T / k)
    logs = np.log(rank)
    return shared[0], shared[1], logs + logs.T, np.maximum(logs, logs.T)


def pair_features(
    items: Sequence[tuple[Article, Representation]], terms_dim: int = 4096
) -> npt.NDArray[np.float64]:
    """``out[i, j]``: the assigner's features of article ``i`` against a story
    of article ``j`` alone (``storyfold.stories.online.features``), for
    ``i < j``, mirrored below the diagonal; the diagonal is zero."""
    n = len(items)
    reps = [rep for _, rep in items]
    out = np.zeros((n, n, len(FEATURES)))
    mats = {
        kind: np.stack([dense(getattr(r, kind), terms_dim) for r in reps]).astype(np.float64)
        for kind in ("names", "content", "phrases")
    }
    for column, kind in enumerate(("names", "content", "phrases")):
        out[:, :, column] = _cosines(mats[kind])
    out[:, :, 3] = _cosines(np.stack([r.lead for r in reps]).astype(np.float64))
    years = np.stack([TimeEvidence.of(a).years for a, _ in items]).astype(np.float64)
    has = years.any(axis=1).astype(np.float64)
    known = np.outer(has, has)
    out[:, :, 4] = _cosines(years) * known
    out[:, :, 5] = known
    names = mats["names"]
    totals = names.sum(axis=1)
    for i in range(n - 1):
        where = names[i].nonzero()[0]
        mine, others = names[i, where], names[i + 1 :, where]
        if totals[i] > 0:
            found = np.minimum(mine[None, :], others / FOUND_SHARE).sum(axis=1) / totals[i]
            out[i, i + 1 :, 6] = found
        out[i, i + 1 :, 7] = np.divide(
            others.sum(axis=1), totals[i + 1 :], out=np.zeros(n - i - 1), where=totals[i + 1 :] > 0
        )
    # ``names_found`` and ``names_covered`` are the two directed columns: the
    # upper triangle holds them for (article i, story j); mirror it.
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    for column in (6, 7):
        values = out[:, :, column]
        out[:, :, column] = np.where(upper, values, values.T)
    out[np.arange(n), np.arange(n)] = 0.0
    return out


def _cosines(x: Matrix) -> Matrix:
    norms = np.linalg.norm(x, axis=1)
    scaled = x / np.maximum(norms, 1e-12)[:, None]
    out: Matrix = scaled @ scaled.T
    return out


class Regrouper:
    """Groups a closed set of articles into stories (see the module's docstring)."""

    def __init__(self, settings: Settings, terms_dim: int = 4096) -> None:
        self.settings = settings
        self.terms_dim = terms_dim

    def features(self, items: Sequence[tuple[Article, Representation]]) -> Matrix:
        """``out[i, j]``: the pair features of :data:`REGROUP_FEATURES`."""
        return np.concatenate(
            [pair_features(items, self.terms_dim), np.stack(self.neighbours(items), axis=2)],
            axis=2,
        )

    def neighbours(
        self, items: Sequence[tuple[Article, Representation]]
    ) -> tuple[Matrix, Matrix, Matrix, Matrix]:
        """The four neighbour features (:func:`neighbour_features`) by a TF-IDF
        of the items' own words (:func:`word_vectors`)."""
        words = word_vectors([article_text(a) for a, _ in items])
        return neighbour_features((words @ words.T).toarray())

    def allowed(
        self, items: Sequence[tuple[Article, Representation]], content: Matrix | None = None
    ) -> npt.NDArray[np.bool_]:
        """Which pairs the assigner's rules let be one event: days no further
        apart than ``story_window_days`` (when both are known), and long
        reports sharing content words (``long_report_content``).  ``content``:
        the pairs' content-word cosines (the ``content`` column of
        :func:`pair_features`), computed here when not given."""
        s = self.settings
        n = len(items)
        days = [TimeEvidence.of(a).day for a, _ in items]
        ordinal = np.array([d.toordinal() if d else 0 for d in days], dtype=np.int64)
        dated = np.array([d is not None for d in days])
        gap = np.abs(ordinal[:, None] - ordinal[None, :])
        ok = ~(np.outer(dated, dated) & (gap > s.story_window_days))
        long = np.array([rep.words >= s.long_report_words for _, rep in items])
        if content is None:
            content = _cosines(
                np.stack([dense(r.content, self.terms_dim) for _, r in items]).astype(np.float64)
            )
        ok &= ~(np.outer(long, long) & (content < s.long_report_content))
        ok[np.arange(n), np.arange(n)] = True
        allowed: npt.NDArray[np.bool_] = ok
        return allowed

    def probabilities(self, items: Sequence[tuple[Article, Representation]]) -> Matrix:
        """Every pair's probability of reporting one event (zero where a rule forbids it)."""
        s = self.settings
        weights = np.asarray(s.regroup_weights, dtype=np.float64)
        width = len(FEATURES)
        # The same sum as ``features(items) @ weights``, without holding all
        # twelve matrices at once.
        pair = pair_features(items, self.terms_dim)
        allowed = self.allowed(items, content=pair[:, :, FEATURES.index("content")])
        logits = pair @ weights[:width] + s.regroup_bias
        del pair
        for weight, column in zip(weights[width:], self.neighbours(items), strict=True):
            logits += weight * column
        p: Matrix = 1.0 / (1.0 + np.exp(-logits))
        p[~allowed] = 0.0
        return p

    def groups(self, items: Sequence[tuple[Article, Representation]]) -> list[int]:
        """Each article's group (numbered by first member, from 0): average
        linkage cut at ``regroup_threshold``, then groups whose top split
        parts them in words split (:func:`split_groups`)."""
        if len(items) < 2:
            return [0] * len(items)
        s = self.settings
        p = self.probabilities(items)
        groups = groups_at(p, s.regroup_threshold)
        held = term_sets([article_text(a) for a, _ in items])
        return split_groups(p, groups, held, s.regroup_split_score, s.regroup_split_terms)


def groups_at(p: Matrix, threshold: float, clusters: int | None = None) -> list[int]:
    """Groups of average linkage over ``1 - p`` (``p``: a symmetric matrix of
    same-event probabilities) cut at ``threshold`` (or into ``clusters``
    groups, when given): each item's group, numbered by first member from 0."""
    if len(p) < 2:
        return [0] * len(p)
    distance = 1.0 - p
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    cut = (
        fcluster(tree, threshold, "distance")
        if clusters is None
        else fcluster(tree, clusters, "maxclust")
    )
    first: dict[int, int] = {}
    return [first.setdefault(int(g), len(first)) for g in cut]


_TERM = re.compile(r"\b\w[\w.,-]*\w\b|\b\w\b")


def term_sets(texts: Sequence[str]) -> sparse.csr_matrix:
    """Which words each text holds: one binary sparse row per text, words
    case-folded, numbers kept whole with their points and commas ("5.6",
    "2,000"), spaCy's English stop words left out."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for k, text in enumerate(texts):
        words = {w.casefold() for w in _TERM.findall(text)} - STOP_WORDS
        for word in sorted(words):
            rows.append(k)
            cols.append(vocab.setdefault(word, len(vocab)))
    return sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(vocab)), dtype=np.float64
    )


def word_split_score(held: Matrix, side: npt.NDArray[np.bool_], top: int) -> float:
    """How far the two sides of a group part in their words.  ``held``: which
    words each article of the group holds (0/1, an article a row), ``side``:
    the articles of one side.  A word held by at least half of one side and
    at most a tenth of the other is scored by -log10 of the hypergeometric
    chance that the side would hold that many of the word's articles or more
    if the sides were drawn at random; the score is the mean over the
    ``top`` strongest such words (fewer count as 0).  Two reports of one
    event split in two share their names, numbers and places; two events of
    one kind (the same boxer's two title fights) each hold their own."""
    n_a, n_b = int(side.sum()), int((~side).sum())
    a, b = held[side].sum(axis=0), held[~side].sum(axis=0)
    total = a + b
    in_a = (a >= 0.5 * n_a) & (b <= 0.1 * n_b)
    in_b = (b >= 0.5 * n_b) & (a <= 0.1 * n_a)
    chances = np.concatenate(
        [
            hypergeom.sf(a[in_a] - 1, n_a + n_b, total[in_a], n_a),
            hypergeom.sf(b[in_b] - 1, n_a + n_b, total[in_b], n_b),
        ]
    )
    strongest = -np.log10(np.maximum(np.sort(chances)[:top], 1e-300))
    return float(strongest.sum() / top)


SPLIT_MIN_ARTICLES = 6
"""A group is weighed for a split from this many articles: below it, no word
can be rare enough by chance on both sides to tell (two sides of 3 give a
chance of 1/20 at best).  Not tuned."""

SPLIT_ROUNDS = 3
"""The parts of a split are weighed again, up to this many rounds in all: a
group can hold more than two events.  Not tuned: ECB+ topics hold two."""

SplitMemo = dict[tuple[int, ...], tuple[float, npt.NDArray[np.bool_]]]


def split_groups(
    p: Matrix,
    groups: Sequence[int],
    held: sparse.csr_matrix,
    min_score: float,
    top: int,
    memo: SplitMemo | None = None,
) -> list[int]:
    """``groups`` with each group of :data:`SPLIT_MIN_ARTICLES` or more cut
    at its top split (average linkage over ``1 - p`` within the group) where
    the two sides part in words (:func:`word_split_score` above
    ``min_score``; ``held``: :func:`term_sets` of the articles), both sides
    of two articles or more; repeated on the parts up to :data:`SPLIT_ROUNDS`
    rounds.  Numbered by first member from 0.  ``memo`` keeps each group's
    split between calls on the same ``p`` (a calibration trying thresholds)."""
    labels = list(groups)
    memo = {} if memo is None else memo
    for _ in range(SPLIT_ROUNDS):
        members: dict[int, list[int]] = {}
        for k, g in enumerate(labels):
            members.setdefault(g, []).append(k)
        fresh = max(labels, default=-1) + 1
        changed = False
        for idx in members.values():
            if len(idx) < SPLIT_MIN_ARTICLES:
                continue
            key = tuple(idx)
            if key not in memo:
                sides = groups_at(p[np.ix_(idx, idx)], 0.0, clusters=2)
                side = np.array([g == 0 for g in sides])
                rows = held[idx].toarray()
                rows = rows[:, rows.sum(axis=0) > 0]
                small = min(int(side.sum()), int((~side).sum())) < 2
                memo[key] = (-1.0 if small else word_split_score(rows, side, top), side)
            score, side = memo[key]
            if score > min_score:
                for k, one in zip(idx, side, strict=True):
                    if not one:
                        labels[k] = fresh
                fresh += 1
                changed = True
        if not changed:
            break
    first: dict[int, int] = {}
    return [first.setdefault(g, len(first)) for g in labels]


@dataclass(frozen=True, slots=True)
class Plan:
    """What regrouping changes: each article's story afterwards (in the order
    given), the stories whose every member left (``merges``: story, the story
    that took most of them, how many) and the groups that need a new id
    (``splits``: new story, the story most of its members came from, size)."""

    stories: tuple[str, ...]
    merges: tuple[tuple[str, str, int], ...]
    splits: tuple[tuple[str, str, int], ...]


def plan(
    articles: Sequence[str], groups: Sequence[int], stories: Sequence[str], age: Mapping[str, int]
) -> Plan:
    """Story ids for the ``groups`` of ``articles`` (each now in ``stories``),
    kept stable: a group takes the id of the story it shares most articles
    with (ties: the older story by ``age``, its first seq), each id going to
    one group at most, larger overlaps first; a group left without one gets a
    new id from its first article.  Regrouping that changes nothing keeps
    every id.  An article in no story yet has ``""``."""
    overlap = Counter(zip(groups, stories, strict=True))
    name: dict[int, str] = {}
    taken: set[str] = set()
    for (group, story), _ in sorted(
        overlap.items(), key=lambda kv: (-kv[1], age.get(kv[0][1], 0), kv[0][1], kv[0][0])
    ):
        if story and group not in name and story not in taken:
            name[group] = story
            taken.add(story)
    splits = []
    for k, group in enumerate(groups):
        if group not in name:
            name[group] = f"s{stable_id(articles[k] + ':regroup')[:12]}"
            members = [s for g, s in zip(groups, stories, strict=True) if g == group]
            source = max(sorted(set(members)), key=members.count)
            splits.append((name[group], source, len(members)))
    after = tuple(name[g] for g in groups)
    merges = []
    for story in sorted(set(stories) - taken - {""}):
        went = [a for a, s in zip(after, stories, strict=True) if s == story]
        into = max(sorted(set(went)), key=went.count)
        merges.append((story, into, len(went)))
    return Plan(after, tuple(merges), tuple(splits))
