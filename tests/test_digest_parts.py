"""The digest's parts on small made-up texts: quotes, entities, related, storage."""

from __future__ import annotations

from dataclasses import replace

import pytest

from storyfold.digest.entities import EntityIndex, Mention, same_person
from storyfold.digest.nlp import SpacyReader
from storyfold.digest.quotes import Found, find_spans, quotes_in
from storyfold.digest.related import relate
from storyfold.digest.story import adjectival
from storyfold.digest.timeline import first_and_last
from storyfold.records import Claim, DateSeen, Digest, Entity, Quote, Related, SummarySentence
from storyfold.store.sqlite import digest_from_json, digest_to_json


@pytest.fixture(scope="module")
def reader() -> SpacyReader:
    return SpacyReader()


def _quotes(reader: SpacyReader, text: str) -> list[Found]:
    return quotes_in(next(iter(reader.parse([text]))))


def test_marks_of_every_kind_and_terms_are_not_quotes() -> None:
    text = (
        "They called it “illegal” and 'counter-productive'. "
        "“We will keep working with all our partners here,” she said. "
        '"Nothing about this decision was taken lightly today," he said. '
        "'The talks will go on next week in the capital,' the envoy said."
    )
    assert [s.text for s in find_spans(text)] == [
        "We will keep working with all our partners here",
        "Nothing about this decision was taken lightly today",
        "The talks will go on next week in the capital",
    ]


def test_a_quote_running_over_paragraphs_is_one_quote() -> None:
    text = "“The first part of what was said goes on\n\nand ends in the next paragraph,” she said."
    [span] = find_spans(text)
    assert span.text == "The first part of what was said goes on and ends in the next paragraph"


def test_speakers_by_verb_pronoun_according_to_and_statement(reader: SpacyReader) -> None:
    text = (
        "Maria Lopez, the mayor, spoke on Monday.\n\n"
        "“We will rebuild every house on this street,” Lopez said.\n\n"
        "“It will take two years at the very least,” she told reporters.\n\n"
        "A statement from Spain’s interior ministry said the plan was costed.\n\n"
        "“The money for the reconstruction is already set aside,” the statement said.\n\n"
        "According to Peter Brown, “nobody expected the river to rise so fast this year.”"
    )
    found = [(f.speaker, f.text.split()[0]) for f in _quotes(reader, text)]
    assert found == [
        ("Lopez", "We"),
        ("Maria Lopez", "It"),
        ("Spain’s interior ministry", "The"),
        ("Peter Brown", "nobody"),
    ]


def test_an_unattributed_paragraph_continues_the_previous_speaker(reader: SpacyReader) -> None:
    text = (
        "“The river rose faster than any model had predicted,” said Ana Ruiz.\n\n"
        "“We will need a new wall before the next winter comes.”"
    )
    assert [f.speaker for f in _quotes(reader, text)] == ["Ana Ruiz", "Ana Ruiz"]


def test_possessive_body_named_as_the_story_writes_it() -> None:
    texts = ["The Spanish interior ministry said so.", "Spain’s interior ministry agreed."]
    assert adjectival("Spain’s interior ministry", texts) == "Spanish interior ministry"
    assert adjectival("Spain’s interior ministry", texts[1:]) == "Spain’s interior ministry"


def test_spelling_variants_are_one_person() -> None:
    assert same_person("Sergei Lavrov", "Sergey Lavrov")
    assert not same_person("Wang Yi", "Wang Wenbin")
    mentions = [
        Mention(text, kind, article)
        for text, kind, article in [
            ("Sergei Lavrov", "person", "a"),
            ("Sergey Lavrov", "person", "b"),
            ("Lavrov", "person", "b"),
            ("Lavrov", "organisation", "a"),
            ("Wang Yi", "person", "a"),
            ("Wang Yi", "person", "b"),
            ("Wang Wenbin", "person", "b"),
            ("Wang", "person", "a"),
            ("the U.S.", "place", "a"),
            ("US", "place", "b"),
        ]
    ]
    index = EntityIndex(mentions)
    entities = {e.name: e for e in index.entities(["a", "b"])}
    assert set(entities) == {"Sergei Lavrov", "Wang Yi", "Wang Wenbin", "U.S"}
    assert entities["Sergei Lavrov"].mentions == 4
    assert entities["Wang Yi"].mentions == 3
    assert index.person("Lavrov") == "Sergei Lavrov" and index.person("Wang") == "Wang Yi"
    assert index.person("Smith") is None


def _digest(story: str, *people: str) -> Digest:
    return Digest(
        story,
        story,
        (),
        entities=tuple(Entity(p, "person", 3, (p,)) for p in people),
    )


def test_related_both_ways_and_dropped_when_actors_part() -> None:
    digests = {
        "s1": _digest("s1", "Ana Ruiz", "Peter Brown", "Li Wei"),
        "s2": _digest("s2", "Peter Brown", "Ana Ruiz"),
        "s3": _digest("s3", "Ana Ruiz", "Tom Cole"),
    }
    changed = relate(["s2"], digests)
    assert changed["s1"].related == (Related("s2", "shared actors: Ana Ruiz, Peter Brown"),)
    assert changed["s2"].related == (Related("s1", "shared actors: Peter Brown, Ana Ruiz"),)
    assert "s3" not in changed
    digests |= changed
    digests["s2"] = _digest("s2", "Tom Cole")
    changed = relate(["s2"], digests)
    assert changed["s1"].related == ()


def test_digest_survives_its_json_round_trip() -> None:
    digest = Digest(
        "s1",
        "A title",
        ("outlet",),
        (SummarySentence("Something happened.", ("a", "b")),),
        quotes=(Quote("Ana Ruiz", "We will rebuild.", ("a",)),),
        entities=(Entity("Ana Ruiz", "person", 2, ("Ana Ruiz", "Ruiz"), ("a",)),),
        coverage=(Claim("Something happened.", ("a", "b")),),
        timeline=(DateSeen("2024-04-09", "published", ("a",)),),
        first_seen="2024-04-09",
        last_seen="2024-04-10",
        related=(Related("s2", "shared actors: Ana Ruiz"),),
    )
    assert digest_from_json(digest_to_json(digest)) == digest
    old = digest_to_json(replace(digest, quotes=()))
    del old["quotes"], old["entities"], old["related"]
    assert digest_from_json(old).quotes == ()


def test_first_and_last_seen_from_iso_dates() -> None:
    assert first_and_last(["2024-04-10T08:00:00Z", None, "2024-04-09", "soon"]) == (
        "2024-04-09",
        "2024-04-10",
    )
