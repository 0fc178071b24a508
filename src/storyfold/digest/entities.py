"""Entities of a story: people, organisations and places, spellings merged.

Mentions come from spaCy's named entities.  Spelling variants of one person are
merged when their words match one to one with a string similarity of at least
``_SAME_WORD`` (Sergei / Sergey Lavrov), and a lone word (``Lavrov``, ``Wang``)
joins the most mentioned full name containing it.  A lone word spaCy tagged as
an organisation or place that is a word of a person's name is that person.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from storyfold.records import Entity, EntityType

# Sergei/Sergey scores 0.83, Zelensky/Zelenskyy 0.93; Wang Yi/Wang Wenbin and
# Xi/Yi (0.5) stay apart.  Set on the seeds (tests/test_digest_seeds.py: one
# Lavrov); the ECB+ quote set (tests/data) runs the same speaker resolution.
_SAME_WORD = 0.8
_MIN_LONE_WORD = 2

TYPES: dict[str, EntityType] = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
}


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    type: EntityType
    article: str


def normalise(text: str) -> str:
    """A mention without a leading article, a trailing possessive, odd spacing."""
    words = text.replace("\n", " ").split()
    if words and words[0].lower() == "the":
        words = words[1:]
    name = " ".join(words)
    for suffix in ("’s", "'s", "’", "'"):
        name = name.removesuffix(suffix)
    return name.strip(' ,.;:-–—"“”‘’()')


def _prefix(word: str) -> str:
    return word.lower()[:3]


def _key(name: str) -> str:
    return name.lower().replace(".", "")


def _word_match(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a == b or (
        min(len(a), len(b)) >= 4 and SequenceMatcher(None, a, b).ratio() >= _SAME_WORD
    )


def same_person(a: str, b: str) -> bool:
    """Two full names of one person, spelt alike word for word."""
    wa, wb = a.split(), b.split()
    return len(wa) == len(wb) and all(_word_match(x, y) for x, y in zip(wa, wb, strict=True))


def _contains(full: str, lone: str) -> bool:
    return any(_word_match(word, lone) for word in full.split())


@dataclass(slots=True)
class _Group:
    type: EntityType
    counts: Counter[str] = field(default_factory=Counter)
    articles: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        full = [v for v in self.counts if " " in v] or list(self.counts)
        return max(full, key=lambda v: (self.counts[v], len(v.split()), -full.index(v)))


class EntityIndex:
    """A story's entities, built from its mentions; resolves short names."""

    def __init__(self, mentions: Iterable[Mention]) -> None:
        usable = [
            Mention(name, m.type, m.article)
            for m in mentions
            if len(name := normalise(m.text)) >= 2 and any(c.isalpha() for c in name)
        ]
        self.groups: list[_Group] = []
        # Candidate groups by the first letters of their names' words (people)
        # and by exact key (others): a story of 500 articles has thousands of
        # names, and comparing each with every group is quadratic.
        self._people: dict[str, list[_Group]] = {}
        self._others: dict[tuple[EntityType, str], _Group] = {}
        # Whether a variant and a name are one person's: the same few names
        # recur thousands of times in a large story, the string match is slow.
        self._matches: dict[tuple[str, str], bool] = {}
        # Full names first, so that lone words find the name they belong to.
        order = sorted(usable, key=lambda m: (m.type != "person", -len(m.text.split())))
        for mention in order:
            self._add(mention)

    def _find(self, name: str, type_: EntityType) -> _Group | None:
        lone = " " not in name
        best: _Group | None = None
        candidates = {id(g): g for w in name.split() for g in self._people.get(_prefix(w), [])}
        for group in candidates.values():
            hit = any(self._match(v, name, lone) for v in group.counts)
            if hit and (best is None or group.counts.total() > best.counts.total()):
                best = group
        return best or self._others.get((type_, _key(name)))

    def _match(self, variant: str, name: str, lone: bool) -> bool:
        key = (variant, name)
        found = self._matches.get(key)
        if found is None:
            found = same_person(variant, name) or (
                lone and len(name) >= _MIN_LONE_WORD and _contains(variant, name)
            )
            self._matches[key] = found
        return found

    def _add(self, mention: Mention) -> None:
        group = self._find(mention.text, mention.type)
        if group is None:
            group = _Group(mention.type)
            self.groups.append(group)
        if mention.text not in group.counts:
            if group.type == "person":
                for word in mention.text.split():
                    self._people.setdefault(_prefix(word), []).append(group)
            else:
                self._others.setdefault((group.type, _key(mention.text)), group)
        group.counts[mention.text] += 1
        group.articles.add(mention.article)

    def person(self, name: str) -> str | None:
        """The fullest name in the story of the person called ``name``, if any."""
        group = self._find(normalise(name), "person")
        return group.name if group is not None and group.type == "person" else None

    def entities(self, order: Sequence[str]) -> tuple[Entity, ...]:
        """Every entity, the most mentioned first; ``order`` sorts its articles."""
        rank = {a: i for i, a in enumerate(order)}
        groups = sorted(self.groups, key=lambda g: (-g.counts.total(), g.name))
        return tuple(
            Entity(
                name=g.name,
                type=g.type,
                mentions=g.counts.total(),
                variants=tuple(sorted(g.counts, key=lambda v: (-g.counts[v], v))),
                articles=tuple(sorted(g.articles, key=lambda a: rank.get(a, len(rank)))),
            )
            for g in groups
        )


def canonical_names(entities: Sequence[Entity]) -> Callable[[str], str]:
    """A function writing every person's spelling variants as their one name."""
    names = {v: e.name for e in entities if e.type == "person" for v in e.variants}
    if not names:
        return lambda text: text
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(v) for v in sorted(names, key=len, reverse=True)) + r")\b"
    )
    # A text holding no word that starts a variant written otherwise is left as
    # it is: checking its words is much cheaper than the pattern of a large
    # story's thousands of names.  (A variant not starting with a word
    # character would escape that check: then every text goes through.)
    starts = [re.match(r"\w+", v) for v, name in names.items() if v != name]
    if not starts:
        return lambda text: text
    if not all(starts):
        return lambda text: pattern.sub(lambda m: names[m.group(0)], text)
    first_words = {m.group(0) for m in starts if m is not None}

    def canonical(text: str) -> str:
        if first_words.isdisjoint(re.findall(r"\w+", text)):
            return text
        return pattern.sub(lambda m: names[m.group(0)], text)

    return canonical


def mentions_of(doc: object, article: str) -> list[Mention]:
    """The named entities of one parsed article."""
    return [
        Mention(ent.text, TYPES[ent.label_], article)
        for ent in doc.ents  # type: ignore[attr-defined]
        if ent.label_ in TYPES
    ]
