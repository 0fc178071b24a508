"""The pages in a real browser: Debian's chromium driven by Playwright, against
uvicorn serving the seeds on a loopback port."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyfold import Engine
from storyfold.web import create_app
from storyfold.web.serving import CHROMIUM, background_server, launch_chromium

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)")
    pytest.skip(f"no {CHROMIUM}: apt-get install chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def seeds_site(folded: Engine) -> Iterator[str]:
    with background_server(create_app(folded.store.path)) as base:
        yield base


def test_read_a_story_follow_a_source_and_search(browser: Any, seeds_site: str) -> None:
    page = browser.new_page()
    page.goto(seeds_site + "/")
    titles = page.locator("a.story-title")
    assert titles.count() == 2
    page.get_by_role("link", name="Beijing moves to strengthen Moscow ties").click()
    page.wait_for_url("**/stories/*")
    assert page.locator("h1").inner_text() == (
        "Beijing moves to strengthen Moscow ties in wake of Ukraine invasion"
    )
    # Quotes by speaker, and the coverage matrix: claims by sources.
    quotes = page.locator("#quotes")
    assert quotes.locator("h3", has_text="Wang Yi").is_visible()
    assert quotes.locator("blockquote").count() >= 5
    matrix = page.locator("#coverage table.matrix")
    assert matrix.is_visible()
    assert matrix.locator("tbody tr").count() >= 5
    assert matrix.locator("thead th.src-col").count() == 3
    assert matrix.locator("td.mark.on").count() >= 10
    # Follow a source to its article: the cleaned text and what was removed.
    page.locator("#source-3 a.source-title").click()
    page.wait_for_url("**/articles/*")
    assert "Russia’s top diplomat briefs Beijing" in page.locator("h1").inner_text()
    assert page.locator("#removed del").count() > 0
    assert page.locator("p.crumb a").inner_text().startswith("Beijing moves")
    # Search from the header box.
    page.locator("form.quick-search input[name=q]").fill("Kozyrev")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith("/?q=Kozyrev"))
    assert "1 of 2 stories" in page.locator("p.count").inner_text()
    assert page.locator("a.story-title").count() == 1
    page.close()


def test_hostile_articles_run_no_script(browser: Any, hostile_db: Path) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with background_server(create_app(hostile_db)) as base:
        page.goto(base + "/")
        page.locator("a.story-title").first.click()
        page.wait_for_url("**/stories/*")
        assert "<script>" in page.locator("h1").inner_text()  # shown as text
        assert page.evaluate("window.__pwned") is None
        page.goto(base + "/articles/hostile-1")
        assert page.locator("#removed, .body").first.is_visible()
        assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    page.close()
