"""Online story assignment: each article joins the closest active story or opens one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np

from storyfold.config import Settings
from storyfold.records import Article, Assignment
from storyfold.represent.base import Representation
from storyfold.represent.text import stable_id
from storyfold.store.sqlite import StoryState


def parse_day(value: str | None) -> date | None:
    """The calendar day of an ISO-like date string, or None."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


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


class CentroidAssigner:
    """Joins the story whose centroid is most similar, inside a time window.

    A story's state keeps the mean of its articles' document embeddings and the
    sum of their TF-IDF term vectors.  The score mixes the two cosines: the
    embedding sees what the article is about, the rare terms (names, places,
    numbers) see which event it is.
    """

    def __init__(self, settings: Settings, terms_dim: int = 4096) -> None:
        self.settings = settings
        self.terms_dim = terms_dim

    def _dense_terms(self, rep: Representation) -> np.ndarray:
        out = np.zeros(self.terms_dim, dtype=np.float32)
        out[rep.terms[0]] = rep.terms[1]
        return out

    def predict_one(
        self, article: Article, rep: Representation, stories: Mapping[str, StoryState]
    ) -> Assignment:
        weight = self.settings.story_terms_weight
        day = parse_day(article.published)
        terms = self._dense_terms(rep)
        best: tuple[float, str, tuple[tuple[str, float], ...]] | None = None
        for state in stories.values():
            gap = gap_days(day, state.first_seen, state.last_seen) if day else None
            if gap is not None and gap > self.settings.story_window_days:
                continue
            embedding = _cosine(state.centroid, rep.vector)
            lexical = _cosine(state.terms, terms)
            score = (1 - weight) * embedding + weight * lexical
            if best is None or score > best[0]:
                parts = (("embedding", round(embedding, 4)), ("terms", round(lexical, 4)))
                if gap is not None:
                    parts += (("gap_days", float(gap)),)
                best = (score, state.id, parts)
        if best is not None and best[0] >= self.settings.story_threshold:
            return Assignment(article.id, best[1], best[0], False, best[2])
        score = best[0] if best else 0.0
        return Assignment(
            article.id, f"s{stable_id(article.id)[:12]}", score, True,
            (("best_score", round(score, 4)),),
        )

    def learn_one(
        self, article: Article, rep: Representation, story: str, state: StoryState | None, seq: int
    ) -> StoryState:
        day = article.published[:10] if parse_day(article.published) else None
        terms = self._dense_terms(rep)
        if state is None:
            return StoryState(story, seq, rep.vector.copy(), terms, 1, day, day)
        size = state.size + 1
        centroid = ((state.centroid * state.size + rep.vector) / size).astype(np.float32)
        known = [d for d in (state.first_seen, state.last_seen, day) if d]
        return StoryState(
            story, state.seq, centroid, state.terms + terms, size,
            min(known) if known else None, max(known) if known else None,
        )


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm > 0 else 0.0
