"""Related stories: other stories about the same people.

Two stories are related when at least ``MIN_SHARED`` people (person entities
of their digests, spellings merged as in ``entities.same_person``) appear in
both; the reason names them.  This needs a look across stories, so the engine
runs it after it writes the digests of the stories a batch touched.

Rather than reading every story's digest, the engine keeps each story's actors
in the store under ``actor_key`` and compares a touched story only with the
stories sharing a key (and those it lists already).  The key is the number of
words of the name and the first three letters of its last word: two names
``same_person`` takes as one have as many words, and their surnames differ
past the first letters (Zelensky/Zelenskyy, Sergei/Sergey Lavrov) or not at
all.  Surnames spelt differently from the first letters (Tchaikovsky,
Chaikovsky) would be missed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from storyfold.digest.entities import same_person
from storyfold.records import Digest, Related

# One shared person is too weak (a head of state appears in many stories); two
# tie the seed stories S1 and S2 (Lavrov, Wang Yi, Xi, Putin are shared).  Set
# on the seeds only: how often unrelated stories share two people has not been
# measured yet.
MIN_SHARED = 2
# Only people a story mentions at least this often count as its actors.
MIN_MENTIONS = 2


def actors(digest: Digest) -> list[str]:
    return [e.name for e in digest.entities if e.type == "person" and e.mentions >= MIN_MENTIONS]


def actor_key(name: str) -> str:
    """The index key a name is found under (see the module docstring)."""
    words = name.lower().split()
    return f"{len(words)} {words[-1][:3] if words else ''}"


def shared_actors(a: Sequence[str], b: Sequence[str]) -> list[str]:
    return [name for name in a if any(same_person(name, other) for other in b)]


def relate(touched: Sequence[str], digests: Mapping[str, Digest]) -> dict[str, Digest]:
    """The digests whose related stories changed, with the new lists.

    Each touched story is compared with every other; a pair's entry is set or
    removed on both sides.
    """
    people = {story: actors(d) for story, d in digests.items()}
    related = {story: {r.story: r.why for r in d.related} for story, d in digests.items()}
    for story in touched:
        if story not in digests:
            continue
        for other in digests:
            if other == story:
                continue
            shared = shared_actors(people[story], people[other])
            if len(shared) >= MIN_SHARED:
                related[story][other] = "shared actors: " + ", ".join(shared)
                back = shared_actors(people[other], people[story])
                related[other][story] = "shared actors: " + ", ".join(back)
            else:
                related[story].pop(other, None)
                related[other].pop(story, None)
    changed: dict[str, Digest] = {}
    for story, digest in digests.items():
        new = tuple(Related(s, why) for s, why in sorted(related[story].items()))
        if new != digest.related:
            changed[story] = replace(digest, related=new)
    return changed
