"""The story stage's contract."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from storyfold.records import Article, Assignment
from storyfold.represent.base import Representation
from storyfold.store.sqlite import StoryState


class StoryAssigner(Protocol):
    """Decides which story a new article joins, or opens a new one.

    ``predict_one`` only decides; ``learn_one`` folds the article into the
    story's state (its centroid, size and dates) and returns the new state.
    """

    def predict_one(
        self, article: Article, rep: Representation, stories: Mapping[str, StoryState]
    ) -> Assignment: ...

    def learn_one(
        self, article: Article, rep: Representation, story: str, state: StoryState | None, seq: int
    ) -> StoryState: ...
