"""Online story assignment: each article joins the best active story or opens one.

An article is compared with every active story by eight features of the sums of
the story's members' vectors: the cosines of names (who, where), content words
(what happened), content word pairs, the lead's embedding and the years
each is about (mentioned, and the year of a dated article's day), whether both
sides have years at all, and the shares of the
article's names the story has (``FOUND_SHARE``) and of the story's names the
article has.  A logistic model over
those, fitted on ECB+ dev (``bench/calibrate_stories.py``), scores each story;
the article joins the best one at or above the threshold.

Two rules guard the same people's next event:
- dates: an article whose day (published, else its URL's;
  ``storyfold.represent.dates``) lies more than ``story_window_days`` from a
  story's days does not join it;
- long reports: when the article and the story's articles are long, joining
  also needs their content words to agree, not only their names.  Long reports
  of one event share what happened; long reports of two events with the same
  actors share mostly names.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from storyfold.config import Settings
from storyfold.records import Article, Assignment
from storyfold.represent.base import Representation, Sparse, Vectors
from storyfold.represent.dates import FIRST_YEAR, LAST_YEAR, article_day, parse_day, years
from storyfold.represent.terms import dense
from storyfold.represent.text import stable_id
from storyfold.store.sqlite import StoryState

FEATURES = (
    "names",
    "content",
    "phrases",
    "lead",
    "years",
    "years_known",
    "names_found",
    "names_covered",
)


@dataclass(frozen=True, slots=True)
class TimeEvidence:
    """An article's day (or None) and the years it is about: those it
    mentions, and the year of its day, once.

    A report published in 2005 is about 2005 even when its text never says
    the year; counting that year lets a dated article tell a story of another
    year's event by the years its members mention.  On ECB+ dev it raised the
    grouped cross-validated B3 F1 from 0.877 to 0.888 (bench/calibrate_stories.py).
    """

    day: date | None
    years: Vectors

    @classmethod
    def of(cls, article: Article) -> TimeEvidence:
        day = article_day(article.published, article.url)
        counts = years(article.body, article.url)
        if day is not None and FIRST_YEAR <= day.year <= LAST_YEAR:
            counts[day.year - FIRST_YEAR] += 1.0
        return cls(day, counts)


def nearest_by_lead(lead: Vectors, stories: Mapping[str, StoryState], k: int) -> list[StoryState]:
    """The ``k`` stories whose summed lead embeddings are closest to ``lead``
    (all of them when there are no more than ``k``), in their given order."""
    if len(stories) <= k:
        return list(stories.values())
    return [stories[i] for i in LeadTable(stories).nearest(lead, k)]


class LeadTable:
    """The summed leads of stories as one matrix, for many nearest-by-lead
    questions.  A story's row is written when the table first sees it and
    again only when its state changes (another object).

    Built over a set of stories, :meth:`nearest` answers about all of them.
    Held across calls (by the assigner and the merge search), :meth:`among`
    answers about whichever stories it is given, the active ones article after
    article, so their leads are not stacked again for every article; rows of
    stories no longer asked about are dropped when they outnumber the others.
    ``among`` holds a lock: a worker running tasks on several threads shares
    one assigner.
    """

    def __init__(self, stories: Mapping[str, StoryState] | None = None) -> None:
        self._lock = threading.Lock()
        first = next(iter(stories.values())).lead if stories else np.zeros(0, np.float32)
        self._reset(first)
        if stories:
            self._sync(list(stories.values()))

    def _reset(self, lead: Vectors) -> None:
        self.rows: dict[str, int] = {}
        self.held: list[StoryState] = []
        self.matrix: Vectors = np.zeros((0, len(lead)), dtype=lead.dtype)
        self.norms: Vectors = np.zeros(0, dtype=lead.dtype)

    def _sync(self, states: Sequence[StoryState]) -> npt.NDArray[np.int64]:
        """Writes the rows of new and changed states; their rows, in order."""
        found = [self.rows.get(st.id) for st in states]
        held = self.held
        new = [st for n, st in zip(found, states, strict=True) if n is None]
        changed = [
            (n, st)
            for n, st in zip(found, states, strict=True)
            if n is not None and held[n] is not st
        ]
        if new:
            start = len(held)
            for offset, st in enumerate(new):
                self.rows[st.id] = start + offset
            held += new
            self.matrix = np.concatenate([self.matrix, np.stack([st.lead for st in new])])
            self.norms = np.concatenate([self.norms, np.linalg.norm(self.matrix[start:], axis=1)])
        if changed:
            where = np.array([n for n, _ in changed])
            self.matrix[where] = np.stack([st.lead for _, st in changed])
            self.norms[where] = np.linalg.norm(self.matrix[where], axis=1)
            for n, st in changed:
                held[n] = st
        return np.fromiter((self.rows[st.id] for st in states), np.int64, len(states))

    def _top(self, lead: Vectors, index: npt.NDArray[np.int64], k: int) -> list[int]:
        """Positions in ``index`` of the ``k`` rows nearest ``lead``, in order."""
        scaled = self.norms[index] * max(float(np.linalg.norm(lead)), 1e-12)
        cosines = (self.matrix @ lead)[index] / np.maximum(scaled, 1e-12)
        return [int(i) for i in np.sort(np.argpartition(-cosines, k)[:k])]

    def update(self, state: StoryState) -> None:
        self._sync([state])

    def nearest(self, lead: Vectors, k: int, leave_out: str | None = None) -> list[str]:
        """The ``k`` stories nearest ``lead`` (``leave_out`` aside), in table order."""
        ids = list(self.rows)
        index = np.array([n for i, n in self.rows.items() if i != leave_out], np.int64)
        if len(index) <= k:
            return [ids[n] for n in index]
        return [ids[int(index[i])] for i in self._top(lead, index, k)]

    def among(self, lead: Vectors, stories: Mapping[str, StoryState], k: int) -> list[StoryState]:
        """:func:`nearest_by_lead` over ``stories``."""
        if len(stories) <= k:
            return list(stories.values())
        states = list(stories.values())
        with self._lock:
            if len(self.rows) > 2 * len(states) + 1024 or self.matrix.shape[1:] != lead.shape:
                self._reset(states[0].lead)
            index = self._sync(states)
            return [states[i] for i in self._top(lead, index, k)]


def gap_days(day: date, first: str | None, last: str | None) -> int | None:
    """Days between ``day`` and the span [first, last]; 0 inside it; None if unknown."""
    lo, hi = parse_day(first), parse_day(last)
    if lo is None or hi is None:
        return None
    if day < lo:
        return (lo - day).days
    if day > hi:
        return (day - hi).days
    return 0


def _sparsecosine(total: Vectors, sparse: Sparse) -> float:
    norm = float(np.linalg.norm(total))
    return float(total[sparse[0]] @ sparse[1]) / norm if norm > 0 else 0.0


def cosine(total: Vectors, vector: Vectors) -> float:
    norm = float(np.linalg.norm(total) * np.linalg.norm(vector))
    return float(total @ vector) / norm if norm > 0 else 0.0


def features(rep: Representation, time: TimeEvidence, state: StoryState) -> tuple[float, ...]:
    """The article's features against the story, in the order of :data:`FEATURES`."""
    known = float(time.years.any() and state.years.any())
    return (
        _sparsecosine(state.names, rep.names),
        _sparsecosine(state.content, rep.content),
        _sparsecosine(state.phrases, rep.phrases),
        cosine(state.lead, rep.lead),
        cosine(state.years, time.years) if known else 0.0,
        known,
        _found(state.names, state.size, rep.names),
        _covered(state.names, rep.names),
    )


FOUND_SHARE = 0.1
"""``names_found`` counts a name in full when the story's mean weight on it is
at least this share of the article's weight on it (about one member in ten
names it), and in part below that.  Between two single articles that is
nearly any shared name; a long story that named it once no longer "finds" it.
Counting every name any member ever had let the longest story find every
name: on 30,000 synthetic articles one story grew to 12,555 of them; with
this share the longest has 1,354, and ECB+ dev changes within its noise."""


def found_share(
    mean: npt.NDArray[np.floating[Any]], weights: npt.NDArray[np.floating[Any]]
) -> float:
    """The share of ``weights`` (an article's, or a story's mean) on terms a
    story has, each term counted in full where the story's ``mean`` weight on
    it reaches ``FOUND_SHARE`` of ``weights``, in part below that."""
    total = float(weights.sum())
    if total <= 0:
        return 0.0
    return float(np.minimum(weights, mean / FOUND_SHARE).sum()) / total


def _found(total: Vectors, size: int, sparse: Sparse) -> float:
    """``found_share`` of the article's names in a story of ``size`` members
    whose summed name weights are ``total``."""
    return found_share(total[sparse[0]] / max(size, 1), sparse[1])


def _covered(total: Vectors, sparse: Sparse) -> float:
    """The share of the story's weight on terms the article has."""
    weight = float(total.sum())
    return float(total[sparse[0]].sum()) / weight if weight > 0 else 0.0


class CentroidAssigner:
    """The default story assigner (see the module's docstring)."""

    def __init__(self, settings: Settings, terms_dim: int = 4096) -> None:
        self.settings = settings
        self.terms_dim = terms_dim
        self._leads = LeadTable()

    def score(
        self, rep: Representation, time: TimeEvidence, state: StoryState
    ) -> tuple[float, tuple[float, ...]]:
        """The model's log-odds that the article reports the story's event."""
        s = self.settings
        values = features(rep, time, state)
        return float(np.dot(s.story_weights, values) + s.story_bias), values

    def blocked(self, rep: Representation, state: StoryState, content: float) -> bool:
        """The long-report rule: long texts must share content words to join."""
        s = self.settings
        long_texts = min(rep.words, state.words / max(1, state.size)) >= s.long_report_words
        return long_texts and content < s.long_report_content

    def predict_one(
        self, article: Article, rep: Representation, stories: Mapping[str, StoryState]
    ) -> Assignment:
        time = TimeEvidence.of(article)
        day = time.day
        best: tuple[float, str, tuple[tuple[str, float], ...]] | None = None
        for state in self._leads.among(rep.lead, stories, self.settings.story_candidates):
            gap = gap_days(day, state.first_seen, state.last_seen) if day else None
            if gap is not None and gap > self.settings.story_window_days:
                continue
            score, values = self.score(rep, time, state)
            blocked = self.blocked(rep, state, values[1])
            # A blocked story still scores below any open one: the parts say why.
            rank = score if not blocked else min(score, self.settings.story_threshold) - 1e6
            if best is None or rank > best[0]:
                parts = tuple((n, round(v, 4)) for n, v in zip(FEATURES, values, strict=True))
                parts += (("score", round(score, 4)),)
                if gap is not None:
                    parts += (("gap_days", float(gap)),)
                if blocked:
                    parts += (("long_report_rule", 1.0),)
                best = (rank, state.id, parts)
        if best is not None and best[0] >= self.settings.story_threshold:
            return Assignment(article.id, best[1], round(best[0], 4), False, best[2])
        return Assignment(
            article.id,
            f"s{stable_id(article.id)[:12]}",
            0.0,
            True,
            best[2] if best else (),  # the closest story's parts: why it was not joined
        )

    def learn_one(
        self, article: Article, rep: Representation, story: str, state: StoryState | None, seq: int
    ) -> StoryState:
        time = TimeEvidence.of(article)
        day = time.day.isoformat() if time.day else None
        names, content, phrases = (
            dense(t, self.terms_dim) for t in (rep.names, rep.content, rep.phrases)
        )
        if state is None:
            return StoryState(
                story,
                seq,
                1,
                day,
                day,
                rep.words,
                rep.lead.copy(),
                names,
                content,
                phrases,
                time.years,
                seq,
            )
        size = state.size + 1
        known = [d for d in (state.first_seen, state.last_seen, day) if d]
        return StoryState(
            story,
            state.seq,
            size,
            min(known) if known else None,
            max(known) if known else None,
            state.words + rep.words,
            state.lead + rep.lead,
            state.names + names,
            state.content + content,
            state.phrases + phrases,
            state.years + time.years,
            max(state.updated, seq),
        )
