"""RuleTextCleaner against the hand-made gold of the seed articles, plus the
general rules on made-up text and the idempotence property.

The gold lives next to the seeds (``shared/seeds/expected.json``); its line
numbers are 1-based lines of the seed files.  Set ``STORYFOLD_SEEDS`` to read
the seeds from elsewhere.
"""

from __future__ import annotations

import doctest
import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storyfold.clean.text
from storyfold.clean.base import TextCleaner
from storyfold.clean.rules import REASONS
from storyfold.clean.text import RuleTextCleaner
from storyfold.records import Cleaned

SEEDS = Path(
    os.environ.get("STORYFOLD_SEEDS", Path(__file__).resolve().parents[2] / "shared" / "seeds")
)
_MARKUP = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")

needs_seeds = pytest.mark.skipif(
    not (SEEDS / "expected.json").is_file(), reason=f"seed gold not found in {SEEDS}"
)


def norm(text: str) -> str:
    """Whitespace-normalised text with markdown links reduced to their text."""
    return " ".join(_MARKUP.sub(r"\1", text).split())


@cache
def gold() -> dict[str, Any]:
    articles: dict[str, Any] = json.loads((SEEDS / "expected.json").read_text("utf-8"))["articles"]
    return articles


@cache
def seed_lines(name: str) -> tuple[str, ...]:
    return tuple((SEEDS / f"{name}.txt").read_text("utf-8").splitlines())


@cache
def cleaned(name: str) -> Cleaned:
    return RuleTextCleaner().clean((SEEDS / f"{name}.txt").read_text("utf-8"))


def boilerplate_numbers(entry: dict[str, Any]) -> set[int]:
    """The gold's boilerplate lines: a list of numbers or a "first-last" range."""
    lines = entry["boilerplate_lines"]
    if isinstance(lines, str):
        span = re.match(r"(\d+)-(\d+)", lines)
        assert span, f"unreadable line range {lines!r}"
        return set(range(int(span[1]), int(span[2]) + 1))
    return set(lines)


def names() -> list[str]:
    return sorted(gold()) if (SEEDS / "expected.json").is_file() else []


def test_is_a_text_cleaner() -> None:
    cleaner: TextCleaner = RuleTextCleaner()
    assert isinstance(cleaner.clean("Some text."), Cleaned)


def test_docstring_examples() -> None:
    result = doctest.testmod(storyfold.clean.text)
    assert result.failed == 0 and result.attempted > 0


# --- the seeds against their gold -------------------------------------------------


@needs_seeds
@pytest.mark.parametrize("name", names())
def test_boilerplate_lines_are_not_in_body(name: str) -> None:
    body = norm(cleaned(name).body)
    lines = seed_lines(name)
    for number in sorted(boilerplate_numbers(gold()[name])):
        line = norm(lines[number - 1])
        assert not line or line not in body, f"line {number} kept: {line!r}"


@needs_seeds
@pytest.mark.parametrize("name", names())
def test_inline_boilerplate_is_cut_and_the_rest_kept(name: str) -> None:
    entry = gold()[name]
    body = norm(cleaned(name).body)
    spans = entry.get("inline_boilerplate", [])
    for span in spans:
        assert norm(span) not in body
    if not spans:
        return
    pattern = "|".join(re.escape(norm(span)) for span in spans)
    for number, line in enumerate(seed_lines(name), 1):
        if any(norm(span) in norm(line) for span in spans):
            for piece in re.split(pattern, norm(line)):
                assert piece.strip() in body, f"line {number}: lost {piece.strip()[:60]!r}"


@needs_seeds
@pytest.mark.parametrize("name", names())
def test_body_lines_are_kept(name: str) -> None:
    entry = gold()[name]
    body = norm(cleaned(name).body)
    skip = boilerplate_numbers(entry) | set(entry["dek_lines"])
    if entry["title_line"]:
        skip.add(entry["title_line"])
    spans = entry.get("inline_boilerplate", [])
    for number, line in enumerate(seed_lines(name), 1):
        text = norm(line)
        if number in skip or not text or any(norm(span) in text for span in spans):
            continue
        assert text in body, f"line {number} lost: {text[:80]!r}"


@needs_seeds
@pytest.mark.parametrize("name", names())
def test_title_and_dek(name: str) -> None:
    entry = gold()[name]
    result = cleaned(name)
    lines = seed_lines(name)
    if entry["title_line"] is None:
        assert result.title is None
    else:
        title = lines[entry["title_line"] - 1].strip()
        assert result.title == title
        assert norm(title) not in {norm(p) for p in result.body.split("\n\n")}
    deks = [norm(lines[number - 1]) for number in entry["dek_lines"]]
    assert (result.dek or None) == ("\n".join(deks) or None)
    for dek in deks:
        assert dek not in norm(result.body)


@needs_seeds
def test_byline_and_credit() -> None:
    name = next(n for n, e in gold().items() if e.get("byline_line"))
    entry, result = gold()[name], cleaned(name)
    line = seed_lines(name)[entry["byline_line"] - 1].strip()
    assert result.byline is not None and line.startswith(result.byline)
    assert " in " not in result.byline  # the place and the day are not the name
    assert line not in result.body
    reasons = {span.text: span.reason for span in result.removed}
    assert reasons[line] == "byline"
    credits = [span for span in result.removed if span.reason == "credit"]
    assert any(span.text.startswith("Additional reporting by") for span in credits)


@needs_seeds
def test_fragment_repeated_at_a_page_break_is_said_once() -> None:
    name = next(n for n, e in gold().items() if e.get("repeated_fragment"))
    fragment = gold()[name]["repeated_fragment"]
    body = cleaned(name).body
    assert body.count(fragment) == 1
    assert f"{fragment} confrontation,” Wang said." in body
    assert any(span.reason == "duplicate" for span in cleaned(name).removed)


@needs_seeds
def test_markup_keeps_its_text() -> None:
    name = next(n for n, e in gold().items() if e.get("markup_to_strip"))
    raw = (SEEDS / f"{name}.txt").read_text("utf-8")
    body = cleaned(name).body
    assert "](" not in body
    for text in _MARKUP.findall(raw):
        assert text in body


@needs_seeds
def test_comment_thread_is_cut() -> None:
    name = next(n for n, e in gold().items() if e.get("body_last_line"))
    entry, result = gold()[name], cleaned(name)
    lines = seed_lines(name)
    assert result.body.endswith(lines[entry["body_last_line"] - 1].strip())
    threads = [span.text for span in result.removed if span.reason == "comments"]
    assert len(threads) == 1
    thread = norm(threads[0])
    for number in boilerplate_numbers(entry):
        assert norm(lines[number - 1]) in thread


@needs_seeds
@pytest.mark.parametrize("name", names())
def test_paragraphs_and_reasons(name: str) -> None:
    result = cleaned(name)
    assert result.body == result.body.strip()
    assert "\n\n\n" not in result.body
    for span in result.removed:
        assert span.reason in REASONS
        assert span.text.strip()


@needs_seeds
def test_paragraphs_are_separated_by_blank_lines() -> None:
    name = next(n for n, e in gold().items() if e["title_line"] == 1)
    entry = gold()[name]
    skip = boilerplate_numbers(entry) | set(entry["dek_lines"]) | {entry["title_line"]}
    kept = [
        norm(line)
        for number, line in enumerate(seed_lines(name), 1)
        if number not in skip and line.strip()
    ]
    assert [norm(p) for p in cleaned(name).body.split("\n\n")] == kept


@needs_seeds
@pytest.mark.parametrize("name", names())
def test_seed_cleaning_is_idempotent(name: str) -> None:
    cleaner = RuleTextCleaner()
    once = cleaned(name).body
    assert cleaner.clean(once).body == once


# --- general rules on made-up text ----------------------------------------------

PROSE = (
    "The committee met on Tuesday to discuss the budget for the coming year. "
    "Members agreed that spending on schools would rise by four percent."
)
PROSE2 = (
    "Opposition lawmakers said the plan did not go far enough and promised to "
    "table amendments when the bill reaches the floor next month."
)


def test_inline_shouting_is_cut_but_acronyms_stay() -> None:
    text = (
        "The US and NATO allies met in Brussels. MARKETS RALLY AFTER FED HOLDS RATES "
        "The EU said it would respond. SIGN UP FOR OUR DAILY BRIEFING NOW Talks go on."
    )
    result = RuleTextCleaner().clean(text)
    assert (
        result.body
        == "The US and NATO allies met in Brussels. The EU said it would respond. Talks go on."
    )
    assert [s.reason for s in result.removed] == ["cross-promotion", "call-to-action"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Advertisement", "advertisement"),
        ("Click here to download our app", "call-to-action"),
        ("Read more", "call-to-action"),
        ("Sign up for our morning newsletter", "newsletter-prompt"),
        ("Get instant email alerts", "newsletter-prompt"),
        ("Protesters gather outside parliament on Monday. Photo: Jane Doe", "caption"),
        ("The mayor speaks to reporters (Getty Images)", "caption"),
        ("Firefighters at the scene in Lyon (Regional Fire Service Press Office)", "caption"),
        ("The senator is seen leaving the building, May 2, 2023. REUTERS/John Smith", "caption"),
        ("02:15", "video-label"),
        ("✕", "ui-control"),
        ("142", "ui-control"),
        ("Reporting by Jane Doe; Editing by John Roe", "credit"),
        ("By Jane Doe and John Roe", "byline"),
        ("Published: March 3, 2024", "date"),
    ],
)
def test_line_rules(line: str, reason: str) -> None:
    result = RuleTextCleaner().clean(f"{PROSE}\n{line}\n{PROSE2}")
    assert result.body == f"{PROSE}\n\n{PROSE2}"
    assert [(s.text, s.reason) for s in result.removed] == [(line, reason)]


@pytest.mark.parametrize(
    "headline",
    [
        "Tap water contamination found in three towns",
        "Download speeds double as new network launches",
        "Facebook changes its privacy policy again",
        "Why your inbox is full of spam",
        "Hackers exploit flaw in the banking app",
        "Inflation is seen easing next year as prices cool",
        "Newsletter publishers struggle to grow audiences",
    ],
)
def test_headlines_with_prompt_words_are_headlines(headline: str) -> None:
    result = RuleTextCleaner().clean(f"{headline}\n{PROSE}\n{PROSE2}")
    assert result.title == headline
    assert result.removed == ()


def test_related_link_and_video_twins_between_paragraphs() -> None:
    text = "\n".join(
        [
            PROSE,
            "Council leader says the new library will open in the spring",
            PROSE2,
            "Mayor opens new bridge",
            "Mayor opens new bridge",
            PROSE,
        ]
    )
    result = RuleTextCleaner().clean(text)
    assert result.body.split("\n\n") == [PROSE, PROSE2]  # the repeated paragraph goes too
    reasons = [s.reason for s in result.removed]
    assert reasons.count("video-label") == 2 and "related-link" in reasons


def test_subheadings_lists_and_tables_stay() -> None:
    lines = [
        PROSE,
        "What happens next",
        PROSE2,
        "organic cotton",
        "recycled polyester",
        "hemp",
        "1/1/2013 +13.1%",
        "2/1/2013 +12.9%",
        "3/1/2013 +11.0%",
        PROSE + " More text follows.",
    ]
    assert RuleTextCleaner().clean("\n".join(lines)).body.split("\n\n") == lines


def test_text_without_spaces_is_counted_in_characters() -> None:
    lines = [
        "先日、不正に改造した端末を販売したとして、二十代の男性が逮捕されたというニュースを耳にしました。",
        "報道によると、今回販売されたのは、機能制限を解除した端末とのことです。",
        "通常、正規のルートで販売された商品をそのまま転売する場合は、権利の侵害にはなりません。",
    ]
    assert RuleTextCleaner().clean("\n".join(lines)).body.split("\n\n") == lines


def test_menu_runs_and_header() -> None:
    text = "\n".join(
        [
            "Home",
            "World",
            "Business",
            "Ministers agree on new rules for lorry drivers",
            "The deal ends months of wrangling between the two chambers",
            "Anna Berg in Stockholm",
            PROSE,
            "Politics",
            "Sport",
            "Culture",
            PROSE2,
        ]
    )
    result = RuleTextCleaner().clean(text)
    assert result.title == "Ministers agree on new rules for lorry drivers"
    assert result.dek == "The deal ends months of wrangling between the two chambers"
    assert result.byline == "Anna Berg"
    assert result.body == f"{PROSE}\n\n{PROSE2}"


def test_no_title_for_one_long_line_or_a_text_starting_with_prose() -> None:
    assert RuleTextCleaner().clean(f"{PROSE} {PROSE2}").title is None
    assert RuleTextCleaner().clean(f"{PROSE}\n{PROSE2}").title is None


def test_comment_thread_found_by_shape() -> None:
    thread = [
        "maplefan",
        "This is exactly what they promised last year.",
        "R. Ortega",
        "Not sure the numbers add up, honestly.",
        "quietreader",
        "Agree with maplefan here.",
        "Another line from the same commenter.",
        "maplefan",
        "Thanks!",
    ]
    result = RuleTextCleaner().clean("\n".join([PROSE, PROSE2, *thread]))
    assert result.body == f"{PROSE}\n\n{PROSE2}"
    assert [s.reason for s in result.removed] == ["comments"]


def test_list_article_headings_are_not_a_comment_thread() -> None:
    items = []
    for name in ("Red Wine", "White Wine", "Rosé Wine", "Sparkling Wine"):
        items += [name, f"{name} is made in many regions. It is served with food."]
    text = "\n".join([PROSE, *items])
    assert all(s.reason != "comments" for s in RuleTextCleaner().clean(text).removed)


@pytest.mark.parametrize("first", ["", "Talks resume in Geneva\n\n"])
def test_page_break_continuation_is_joined(first: str) -> None:
    text = (
        f"{first}The minister said the talks had been difficult but that both sides wanted to"
        "\n\nreach an agreement before the end of the month.\n\nAnother paragraph ends here."
    )
    result = RuleTextCleaner().clean(text)
    assert result.title == (first.strip() or None)  # a cut sentence is not a headline
    assert result.body.split("\n\n") == [
        "The minister said the talks had been difficult but that both sides wanted to "
        "reach an agreement before the end of the month.",
        "Another paragraph ends here.",
    ]


def test_empty_and_blank_input() -> None:
    assert RuleTextCleaner().clean("") == Cleaned(body="")
    assert RuleTextCleaner().clean(" \n\n\t\n").body == ""


# --- idempotence ----------------------------------------------------------------

_TOKENS = [
    "the", "minister", "said", "talks", "Beijing", "NATO", "US", "RUSSIA", "INVADES",
    "UKRAINE:", "LIVE", "UPDATES", "CLICK", "HERE", "$", "2.5", "01:45", "Photo:",
    "REUTERS/Jane", "(Getty", "Images)", "pictured", "Advertisement", "Read", "more",
    "By", "Jane", "Doe", "in", "Paris", "[link](#)", "**bold**", "•", "✕", "87",
    "group", "confrontation,", "Wang", "said.", "newsletter", "app", "jsmith", "“quote”",
    "Published:", "March", "3,", "2024", "「中国」", "会谈。", "—", "|",
]  # fmt: skip


@st.composite
def page_texts(draw: st.DrawFn) -> str:
    lines = draw(
        st.lists(
            st.one_of(
                st.lists(st.sampled_from(_TOKENS), min_size=0, max_size=40).map(" ".join),
                st.sampled_from([PROSE, PROSE2, "", " ", "Mayor opens new bridge"]),
                st.text(max_size=60),
            ),
            max_size=25,
        )
    )
    endings = draw(st.lists(st.sampled_from(["", ".", "?", ":", " "]), min_size=len(lines)))
    return "\n".join(line + end for line, end in zip(lines, endings, strict=False))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_texts())
def test_cleaning_twice_equals_cleaning_once(text: str) -> None:
    cleaner = RuleTextCleaner()
    once = cleaner.clean(text)
    assert cleaner.clean(once.body).body == once.body
    assert all(span.reason in REASONS for span in once.removed)


def test_a_page_never_cleans_to_nothing() -> None:
    """Headline-only items and one sentence under a headline keep a body."""
    cleaner = RuleTextCleaner()
    for page in (
        "June 06, 2013\nEsther Williams, swimming star, dies at 91",
        "Robbers in drag steal e80 million from Paris diamond store in biggest French heist",
        "Actress checks into rehab at clinic\nFri., May. 3, 2013 11: 45 AM PDT\n"
        "Early Friday morning, the 26-year-old actress checked into a clinic in Rancho Mirage,",
    ):
        body = cleaner.clean(page).body
        assert body and cleaner.clean(body).body == body
