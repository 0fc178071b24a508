"""The HTML cleaner: bodies, metadata, fallbacks, and bad pages that must not crash."""

from __future__ import annotations

from datetime import date

import pytest

from storyfold.clean.dates import parse_date, url_date
from storyfold.clean.html import (
    TrafilaturaCleaner,
    line_candidates,
    load_html_line_model,
    visible_text,
)
from storyfold.clean.html_features import HTML_FEATURES, candidate_lines, locate, read_page
from storyfold.clean.learned import LearnedTextCleaner
from storyfold.clean.meta import join_names, person_name
from storyfold.config import Settings

PARAGRAPHS = [
    "The two foreign ministers met in Beijing on Monday to discuss trade, energy "
    "and security, officials from both governments said after the talks.",
    "They agreed to meet again next year in Moscow, the foreign ministry said in a "
    "statement published on its website later that evening.",
    "Analysts said the meeting showed how closely the two countries now work "
    "together, though neither side announced any new agreement on Monday.",
]

ARTICLE = f"""<!doctype html><html><head>
<title>Ministers meet in Beijing | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
<meta name="author" content="Reuters">
<meta property="article:published_time" content="2024-04-09T10:15:00+02:00">
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ministers meet in Beijing",
 "datePublished": "2024-04-09T10:15:00+02:00",
 "author": [{{"@type": "Person", "name": "Jane Doe"}},
            {{"@type": "Organization", "name": "Reuters"}}]}}
</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Ministers meet in Beijing</h1>
<p>By Jane Doe</p>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
<p>Sign up for our daily newsletter</p>
</article>
<aside><h2>Most read</h2>
<ul><li><a href="/a">Celebrity chef opens a restaurant</a></li></ul></aside>
<footer>© 2024 The Daily Example. All rights reserved.</footer>
</body></html>"""


@pytest.fixture(scope="module")
def cleaner() -> TrafilaturaCleaner:
    return TrafilaturaCleaner(LearnedTextCleaner())


def test_article_body_and_metadata(cleaner: TrafilaturaCleaner) -> None:
    result = cleaner.clean(ARTICLE, "https://example.com/world/2024/04/09/ministers-meet")
    for paragraph in PARAGRAPHS:
        assert paragraph in result.body
    assert "newsletter" not in result.body
    assert "All rights reserved" not in result.body
    assert result.title == "Ministers meet in Beijing"
    assert result.byline == "Jane Doe"
    assert result.published == "2024-04-09T10:15:00+02:00"


def test_future_dates_are_refused(cleaner: TrafilaturaCleaner) -> None:
    result = cleaner.clean(ARTICLE, None, crawled=date(2024, 1, 1))
    assert result.published is None or result.published <= "2024-01-02"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "unreadable-html"),
        ("<html><head><title>x</title></head></html>", "no-article-body-found"),
        ("<html><body><script>var a = 1;" + "x" * 5000 + "</script></body></html>",
         "no-article-body-found"),
        ("<html><body><p>The minister said the talks were useful and", None),
        ("\x00\x01\x02<<<>>>&&&", None),
    ],
)  # fmt: skip
def test_bad_pages_give_an_empty_body_with_a_reason_or_a_body(
    cleaner: TrafilaturaCleaner, html: str, reason: str | None
) -> None:
    result = cleaner.clean(html)
    if not result.body:
        assert result.removed and result.removed[-1].reason
        if reason:
            assert result.removed[-1].reason.startswith(reason)


def test_truncated_page_keeps_what_it_has(cleaner: TrafilaturaCleaner) -> None:
    result = cleaner.clean(ARTICLE[: ARTICLE.index(PARAGRAPHS[2][:30])])
    assert PARAGRAPHS[0] in result.body


def test_wrong_declared_charset_does_not_crash(cleaner: TrafilaturaCleaner) -> None:
    page = ARTICLE.replace("<head>", '<head><meta charset="iso-8859-5">', 1)
    text = page.replace("Beijing", "Bеijing — «Пекин»").encode("utf-8").decode("latin-1")
    result = cleaner.clean('<?xml version="1.0" encoding="koi8-r"?>' + text)
    assert "foreign ministers met" in result.body


def test_too_large_page_is_refused_with_a_reason() -> None:
    small = TrafilaturaCleaner(settings=Settings(max_input_bytes=20_000))
    result = small.clean("<html><body>" + "<p>word " * 5000 + "</p></body></html>")
    assert result.body == ""
    assert result.removed[-1].reason.startswith("html-too-large")


@pytest.mark.slow
def test_twenty_megabyte_page(cleaner: TrafilaturaCleaner) -> None:
    page = "<html><body>" + "<div><p>Some words in a paragraph here.</p></div>" * 450_000
    assert len(page) > 20 * 2**20
    result = cleaner.clean(page)
    assert result.body == "" and result.removed[-1].reason.startswith("html-too-large")


def test_fallback_when_trafilatura_finds_too_little(cleaner: TrafilaturaCleaner) -> None:
    # Paragraphs in bare table cells: a layout trafilatura may not read as an article.
    cells = "".join(f"<tr><td>{p}</td></tr>" for p in PARAGRAPHS)
    page = f"<html><body><table>{cells}</table></body></html>"
    result = cleaner.clean(page)
    for paragraph in PARAGRAPHS:
        assert paragraph in result.body


def test_visible_text_skips_scripts_and_comments() -> None:
    import lxml.html

    tree = lxml.html.document_fromstring(
        "<html><body><p>One <b>two</b></p><script>no()</script><!-- no --><div>three</div>"
        "tail</body></html>"
    )
    assert visible_text(tree) == "One two\nthree\ntail"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024-04-09T10:15:00+02:00", "2024-04-09T10:15:00+02:00"),
        ("2024-04-09T10:15:00Z", "2024-04-09T10:15:00Z"),
        ("2024-04-09 10:15:00+0200", "2024-04-09T10:15:00+02:00"),
        ("Published: Jan 29, 2025", "2025-01-29"),
        ("29 January 2025, 10:00", "2025-01-29"),
        ("9.4.2024", "2024-09-04"),
        ("25/12/2023", "2023-12-25"),
        ("no date here", None),
    ],
)
def test_dates(text: str, iso: str | None) -> None:
    assert parse_date(text, date(2026, 1, 1)) == iso


def test_dates_never_after_the_crawl() -> None:
    assert parse_date("2025-06-01", date(2025, 1, 1)) is None
    assert url_date("https://x.com/2024/04/09/story", date(2025, 1, 1)) == "2024-04-09"
    assert url_date("https://x.com/2026/04/09/story", date(2025, 1, 1)) is None


def test_bylines_are_people() -> None:
    assert person_name("Reuters") is None
    assert person_name("Staff Writer") is None
    assert person_name("https://example.com/jane") is None
    assert person_name("Jane Doe") == "Jane Doe"
    assert join_names(["Jane Doe", "John Roe", "jane doe"]) == "Jane Doe and John Roe"


# --- the learned line pass -------------------------------------------------------


def test_learned_pass_reports_what_it_removes(cleaner: TrafilaturaCleaner) -> None:
    result = cleaner.clean(ARTICLE, "https://example.com/world/2024/04/09/ministers-meet")
    assert result.body.split("\n\n")[-3:] == PARAGRAPHS
    reasons = {span.text: span.reason for span in result.removed}
    assert reasons["Sign up for our daily newsletter"].startswith(
        "html line classifier: p(boilerplate)="
    )
    # Lines trafilatura never kept are not reported as removed from its body.
    assert "Most read" not in reasons


def test_rule_pass_is_still_available() -> None:
    rules_only = TrafilaturaCleaner(learned=False)
    result = rules_only.clean(ARTICLE, "https://example.com/world/2024/04/09/ministers-meet")
    for paragraph in PARAGRAPHS:
        assert paragraph in result.body
    assert "newsletter" not in result.body


def test_without_own_pass_the_body_is_trafilaturas() -> None:
    plain = TrafilaturaCleaner(own_pass=False, fallbacks=False)
    result = plain.clean(ARTICLE, "https://example.com/world/2024/04/09/ministers-meet")
    assert "Sign up for our daily newsletter" in result.body


def test_shipped_html_model_fits_the_features() -> None:
    model = load_html_line_model()
    assert model.features == HTML_FEATURES
    assert model.meta["script"] == "scripts/train_html_line_classifier.py --write"


def test_candidates_are_trafilaturas_lines_and_the_visible_lines_it_left_out() -> None:
    import lxml.html

    tree = lxml.html.document_fromstring(
        "<html><body><nav><a href='/'>Home</a></nav><article><p>First  paragraph.</p>"
        "<ul><li>A listed | point</li></ul><p>Second paragraph.</p></article></body></html>"
    )
    page = read_page(tree)
    kept = ["First paragraph.", "- A listed | point", "Missing from the page"]
    assert page.text == "HomeFirstparagraph.AlistedpointSecondparagraph."
    assert locate(page, kept) == [(4, 19), (19, 31), None]
    lines, in_kept = candidate_lines(page, kept, visible_text(tree).splitlines())
    assert lines == [
        "Home",
        "First paragraph.",
        "- A listed | point",
        "Missing from the page",
        "Second paragraph.",
    ]
    assert in_kept == [False, True, True, True, False]


def test_line_features_see_links_and_trafilaturas_choice() -> None:
    found = line_candidates(ARTICLE, "https://example.com/world/2024/04/09/ministers-meet")
    assert found is not None
    texts = [line.text for line in found.lines]
    assert found.x.shape == (len(texts), len(HTML_FEATURES))
    column = {name: i for i, name in enumerate(HTML_FEATURES)}
    menu = texts.index("Home World")
    paragraph = texts.index(PARAGRAPHS[0])
    assert found.x[menu, column["dom_link_share"]] == 1.0
    assert found.x[menu, column["dom_nav"]] == 1.0
    assert found.x[paragraph, column["dom_link_share"]] == 0.0
    assert found.x[paragraph, column["in_trafilatura"]] == 1.0
    assert found.x[menu, column["in_trafilatura"]] == 0.0
    assert found.x[paragraph, column["dom_main"]] == 1.0


def test_learned_cleaning_is_deterministic(cleaner: TrafilaturaCleaner) -> None:
    first = cleaner.clean(ARTICLE, "https://example.com/a")
    assert cleaner.clean(ARTICLE, "https://example.com/a") == first
