"""Consolidation: split stories that drifted, merge stories that turn out to be one.

Online assignment decides once per article, with what it has seen so far: the
first reports of an event may open two stories that later articles show to be
one.  After each batch, every touched story is scored against the other active
stories with the assigner's own model, the story's summed vectors standing in
for an article; a pair at or above ``story_merge_threshold`` (stricter than the
joining threshold: both sides are averages, and a merge moves many articles)
is merged.  The older story keeps its id; the merge is recorded so the younger
id keeps answering.

The opposite error, two events folded into one story (the first reports of the
second event joined the first before its own words were known), is checked
each time a story's size doubles from ``story_split_min`` on (so the cost per
article stays constant): its articles are cut in two by 2-means over their
name and content-word vectors, and a model of its own (``SPLIT_FEATURES``:
the halves' features as two stories, and how uneven the cut is) decides
whether to cut: when its log-odds that cutting helps reach
``story_split_odds``, the half without the story's first article becomes a
new story.  Copies stay with their originals.  The same-event model is not
asked: two halves of one event, each a sum of several articles, score lower
as one event than an article does with its story, and two halves of two
events with the same actors higher; the split model is fitted on such cuts
(bench/calibrate_stories.py).

At the same checkpoints each member is weighed again (``reassign``): against
its story without it and against the nearest other active stories, with the
assigner's own ``predict_one``.  A member that an earlier decision, taken when
the stories were young, put in the wrong one moves to where it scores best.
This is what makes the result depend less on arrival order: a late article
no longer leaves an early one where the first guess put it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from storyfold.config import Settings
from storyfold.records import Article, Assignment
from storyfold.represent.base import Representation
from storyfold.represent.dates import parse_day
from storyfold.represent.terms import dense
from storyfold.store.sqlite import StoryState
from storyfold.stories.base import StoryAssigner
from storyfold.stories.online import FEATURES, LeadTable, cosine, found_share


@dataclass(frozen=True, slots=True)
class Merge:
    """``story`` is folded into ``into`` (the older one), with the model's score."""

    story: str
    into: str
    score: float


def _share(a: StoryState, b: StoryState) -> float:
    """The share of ``b``'s mean name weight on names ``a`` has, each counted
    in full when ``a``'s mean weight on it reaches ``FOUND_SHARE`` of ``b``'s:
    the assigner's ``names_found``, no larger for the longer story."""
    return found_share(a.names / max(a.size, 1), b.names / max(b.size, 1))


def story_features(a: StoryState, b: StoryState) -> tuple[float, ...]:
    """The assigner's features (``storyfold.stories.online.FEATURES``) between two
    stories, symmetric: ``b`` stands where the article would."""
    known = float(a.years.any() and b.years.any())
    # Both name shares are one value between stories: each side's share of
    # the other's names, averaged.
    shared = (_share(a, b) + _share(b, a)) / 2
    return (
        cosine(a.names, b.names),
        cosine(a.content, b.content),
        cosine(a.phrases, b.phrases),
        cosine(a.lead, b.lead),
        cosine(a.years, b.years) if known else 0.0,
        known,
        shared,
        shared,
    )


SPLIT_FEATURES = (*FEATURES, "size_ratio")
"""The split model's features of a 2-means cut: the halves' features as two
stories (``story_features``), and the log of the smaller half's size over the
larger's (0 for an even cut)."""


def split_features(kept: StoryState, cut: StoryState) -> tuple[float, ...]:
    """The features of :data:`SPLIT_FEATURES` for a story cut into two halves."""
    small, large = sorted((kept.size, cut.size))
    return (*story_features(kept, cut), float(np.log(max(small, 1) / max(large, 1))))


def _span_gap(a: StoryState, b: StoryState) -> int:
    """Days between two stories' date spans; 0 when they overlap or are unknown."""
    a0, a1, b0, b1 = (parse_day(d) for d in (a.first_seen, a.last_seen, b.first_seen, b.last_seen))
    if a0 is None or a1 is None or b0 is None or b1 is None:
        return 0
    return max(0, (b0 - a1).days, (a0 - b1).days)


def merged(into: StoryState, other: StoryState) -> StoryState:
    """The state of ``into`` after ``other``'s articles join it."""
    days = [d for d in (into.first_seen, into.last_seen, other.first_seen, other.last_seen) if d]
    return StoryState(
        into.id,
        into.seq,
        into.size + other.size,
        min(days) if days else None,
        max(days) if days else None,
        into.words + other.words,
        into.lead + other.lead,
        into.names + other.names,
        into.content + other.content,
        into.phrases + other.phrases,
        into.years + other.years,
        max(into.updated, other.updated),
    )


@dataclass(frozen=True, slots=True)
class Move:
    """Article ``article`` leaves ``story`` for ``into``: the assigner's decision."""

    article: str
    story: str
    into: str
    assignment: Assignment


def without(state: StoryState, single: StoryState) -> StoryState:
    """``state`` less one member (``single``, its one-article state).  The
    dates are kept: the span can only shrink, and the engine refolds the story
    from its members afterwards."""
    return replace(
        state,
        size=state.size - 1,
        words=state.words - single.words,
        lead=state.lead - single.lead,
        names=state.names - single.names,
        content=state.content - single.content,
        phrases=state.phrases - single.phrases,
        years=state.years - single.years,
    )


def due_for_split(before: int, after: int, smallest: int) -> bool:
    """Whether a story growing from ``before`` to ``after`` articles crossed a
    size to check: ``smallest``, twice that, four times..."""
    if after < smallest:
        return False
    return (after // smallest).bit_length() > (max(before, 1) // smallest).bit_length()


def bisect(reps: Sequence[Representation], dim: int) -> list[bool] | None:
    """Two groups by 2-means over normalised name + content-word vectors; None
    when they do not separate.  Deterministic: seeded by the member farthest
    from the first, and the member farthest from that."""
    x = np.stack([np.concatenate([dense(r.names, dim), dense(r.content, dim)]) for r in reps])
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    a = int(np.argmin(x @ x[0]))
    b = int(np.argmin(x @ x[a]))
    centre_a, centre_b = x[a], x[b]
    side = np.zeros(len(reps), dtype=bool)
    for _ in range(10):
        side = (x @ centre_a) < (x @ centre_b)
        if side.all() or not side.any():
            return None
        centre_a, centre_b = x[~side].mean(axis=0), x[side].mean(axis=0)
    return [bool(v) for v in side]


class Consolidator:
    """Finds splits and merges of stories (see the module's docstring)."""

    def __init__(self, settings: Settings, assigner: StoryAssigner, dim: int = 4096) -> None:
        self.settings = settings
        self.assigner = assigner
        self.dim = dim
        self._leads = LeadTable()

    def split(
        self, story: str, members: Sequence[tuple[Article, Representation]]
    ) -> tuple[list[str], float] | None:
        """The ids of the articles to cut from ``story`` (members in arrival
        order, copies left out), with the split model's log-odds (1e9 when a
        rule forces the cut); None to keep it whole."""
        found = self.halves(story, members)
        if found is None:
            return None
        sides, kept, cut = found
        odds = self.split_odds(kept, cut)
        if odds < self.settings.story_split_odds:
            return None
        moved = [a.id for (a, _), side in zip(members, sides, strict=True) if side != sides[0]]
        return moved, round(odds, 4) if np.isfinite(odds) else 1e9

    def halves(
        self, story: str, members: Sequence[tuple[Article, Representation]]
    ) -> tuple[list[bool], StoryState, StoryState] | None:
        """The 2-means cut of ``story``'s members (in arrival order, copies
        left out): each member's side, and the states of the half with the
        first member and of the other; None below ``story_split_min`` members
        or when the members do not separate."""
        if len(members) < self.settings.story_split_min:
            return None
        sides = bisect([rep for _, rep in members], self.dim)
        if sides is None:
            return None
        halves: list[StoryState | None] = [None, None]
        for seq, ((article, rep), side) in enumerate(zip(members, sides, strict=True), start=1):
            halves[side] = self.assigner.learn_one(article, rep, story, halves[side], seq)
        kept, cut = halves[sides[0]], halves[not sides[0]]
        assert kept is not None and cut is not None
        return sides, kept, cut

    def split_odds(self, kept: StoryState, cut: StoryState) -> float:
        """The split model's log-odds that cutting a story into these halves
        helps; infinite when a rule says they cannot be one story (their days
        further apart than ``story_window_days``, or long reports without
        content words in common: :meth:`score`)."""
        s = self.settings
        if self.score(kept, cut) is None:
            return float("inf")
        return float(np.dot(s.story_split_weights, split_features(kept, cut)) + s.story_split_bias)

    def score(self, a: StoryState, b: StoryState) -> float | None:
        """Log-odds that two stories are one event; None when a rule forbids it."""
        s = self.settings
        if _span_gap(a, b) > s.story_window_days:
            return None
        values = story_features(a, b)
        long_texts = min(a.words / max(1, a.size), b.words / max(1, b.size))
        if long_texts >= s.long_report_words and values[1] < s.long_report_content:
            return None
        return float(np.dot(s.story_weights, values) + s.story_bias)

    def merges(self, touched: Iterable[str], active: Mapping[str, StoryState]) -> list[Merge]:
        """Merges to make, each touched story with its best partner at or above
        the threshold; chains resolve to the oldest story."""
        s = self.settings
        states = dict(active)
        out: list[Merge] = []
        for sid in sorted(touched, key=lambda i: states[i].seq if i in states else 0):
            mine = states.get(sid)
            if mine is None:
                continue
            best: tuple[float, str] | None = None
            for other in self._leads.among(
                mine.lead, states, self.settings.story_merge_candidates + 1
            ):
                if other.id == sid:
                    continue
                score = self.score(other, mine)
                small = min(other.size, mine.size) <= s.story_absorb_size
                threshold = s.story_threshold if small else s.story_merge_threshold
                if score is not None and score >= threshold and (best is None or score > best[0]):
                    best = (score, other.id)
            if best is None:
                continue
            older, younger = sorted((mine, states[best[1]]), key=lambda st: st.seq)
            out.append(Merge(younger.id, older.id, round(best[0], 4)))
            states[older.id] = merged(older, younger)
            del states[younger.id]
        return out

    def reassign(
        self,
        story: str,
        members: Sequence[tuple[Article, Representation]],
        active: Mapping[str, StoryState],
        table: LeadTable | None = None,
    ) -> list[Move]:
        """Members of ``story`` (in arrival order, copies left out) that the
        assigner places in another active story, given the story without them:
        each is offered its own story less itself and the
        ``story_merge_candidates`` other stories nearest by lead; it moves when
        ``predict_one`` picks another.  Moves are applied to the states as they
        are found, so a later member is weighed against the stories as they are
        by then.

        ``table``: the leads of ``active`` (``LeadTable(active)``), for a caller
        weighing many stories in turn; the rows of the stories that moves
        change are rewritten here, and the caller rewrites them again when it
        refolds those stories.  Built here when not given."""
        states = dict(active)
        if story not in states:
            return []
        k = self.settings.story_merge_candidates
        table = LeadTable(states) if table is None else table
        out: list[Move] = []
        for seq, (article, rep) in enumerate(members, start=1):
            own = states[story]
            if own.size <= 1:
                continue
            single = self.assigner.learn_one(article, rep, story, None, seq)
            rest = without(own, single)
            offered = {story: rest} | {i: states[i] for i in table.nearest(rep.lead, k, story)}
            choice = self.assigner.predict_one(article, rep, offered)
            if choice.opened or choice.story == story:
                continue
            states[story] = rest
            states[choice.story] = merged(states[choice.story], single)
            table.update(states[story])
            table.update(states[choice.story])
            out.append(Move(article.id, story, choice.story, choice))
        return out
