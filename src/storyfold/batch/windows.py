"""Time windows for building stories in parallel, and merging at their seams.

The assigner never lets an article join a story whose dates are more than
``story_window_days`` away from its own.  So where the published dates of the
articles to assign leave a gap wider than that, no story can cross it: cutting
there (a *natural* seam) changes nothing.  A window that grows past
``max_window`` articles is cut between two days anyway (a *forced* seam); the
stories on both sides of a forced seam are then merged with the assigner's own
scoring: each story that starts near the seam is predicted, by its first
article, against the stories before it, and folded in when the assigner would
have it join one.

Articles without a date may join any story and open stories any article may
join, so when there are any, all articles form one window (no parallelism, and
the same result as the local path).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from storyfold.batch.tasks import Record
from storyfold.records import Assignment
from storyfold.represent.dates import parse_day
from storyfold.store.sqlite import StoryState
from storyfold.stories import StoryAssigner


@dataclass(frozen=True, slots=True)
class Window:
    """Arrival indices of the articles of one window, in arrival order;
    ``forced`` when the seam before it was forced."""

    members: tuple[int, ...]
    forced: bool = False


def windows(records: Sequence[Record], window_days: int, max_window: int) -> list[Window]:
    """``records`` (the articles to assign, any order) cut into time windows."""
    days = [(parse_day(r.article.published), r.idx) for r in records]
    if any(day is None for day, _ in days):
        return [Window(tuple(sorted(idx for _, idx in days)))] if days else []
    dated = sorted((day, idx) for day, idx in days if day is not None)
    out: list[Window] = []
    current: list[int] = []
    forced = False
    last: date | None = None
    for day, idx in dated:
        if last is not None and day != last:
            natural = (day - last).days > window_days
            if natural or len(current) >= max_window:
                out.append(Window(tuple(sorted(current)), forced))
                current, forced = [], not natural
        current.append(idx)
        last = day
    if current:
        out.append(Window(tuple(sorted(current)), forced))
    return out


def merge_seam(
    assigner: StoryAssigner,
    records: dict[int, Record],
    before: dict[str, StoryState],
    after: dict[str, StoryState],
    assignments: dict[int, Assignment],
    window: Window,
) -> int:
    """Folds the stories of ``window`` that the assigner would join to a story of
    the window before (``before``) into it.  Updates ``after`` (the window's
    stories, then holding the merged ones) and ``assignments`` in place; returns
    how many stories were merged away."""
    members: dict[str, list[int]] = {}
    for idx in window.members:
        members.setdefault(assignments[idx].story, []).append(idx)
    merged = 0
    for story, ids in members.items():
        opener = records[ids[0]]
        joined = assigner.predict_one(opener.article, opener.rep, before)
        if joined.opened or joined.story not in before:
            continue
        state = before[joined.story]
        for idx in ids:
            record = records[idx]
            state = assigner.learn_one(
                record.article, record.rep, joined.story, state, record.article.seen
            )
            held = assignments[idx]
            assignments[idx] = (
                joined if idx == ids[0] else replace(held, story=joined.story, opened=False)
            )
        before[joined.story] = state
        after.pop(story, None)
        after[joined.story] = state
        merged += 1
    return merged
