"""The HTTP API and the pages, through httpx (FastAPI's TestClient), on the seeds."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from storyfold import Engine
from storyfold.export import article_record, story_record
from storyfold.web import ServeOptions, create_app
from storyfold.web.serving import serve_process
from tests.web_support import (
    HOSTILE,
    TOKEN,
    TestClient,
    broken_engine,
    client,
    count_articles,
    hashing_engine,
    hostile_articles,
)

BIG, SMALL = "000_a61859e1349bc34b", "003_bd303325c27d2cb2"
REWRITE = "001_548b1945a47a36b1"


@pytest.fixture(scope="module")
def http(folded: Engine) -> Iterator[TestClient]:
    with client(create_app(folded.store.path)) as test_client:
        yield test_client


@pytest.fixture()
def ingest_http(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    db = tmp_path / "fresh.db"
    options = ServeOptions(token=TOKEN, max_body_bytes=200_000, max_articles=5)
    with client(create_app(db, options, hashing_engine)) as test_client:
        yield test_client, db


def story_of(folded: Engine, article: str) -> str:
    story = folded.store.story_of(article)
    assert story is not None
    return story


AUTH = {"Authorization": f"Bearer {TOKEN}"}


# --- reading ---------------------------------------------------------------------------


def test_stories_list_newest_first_and_by_size(http: TestClient, folded: Engine) -> None:
    body = http.get("/api/stories").json()
    assert body["total"] == 2 and body["pages"] == 1
    ids = [s["story"] for s in body["stories"]]
    assert ids == folded.store.story_ids()  # the most recently active first
    by_size = http.get("/api/stories", params={"sort": "size"}).json()["stories"]
    assert [s["articles"] for s in by_size] == [4, 1]
    assert by_size[0]["story"] == story_of(folded, BIG)
    assert by_size[0]["title"] == (
        "Beijing moves to strengthen Moscow ties in wake of Ukraine invasion"
    )
    assert by_size[0]["langs"] == ["en"]


def test_stories_pages_and_filters(http: TestClient, folded: Engine) -> None:
    first = http.get("/api/stories", params={"per_page": 1, "sort": "size"}).json()
    second = http.get("/api/stories", params={"per_page": 1, "page": 2, "sort": "size"}).json()
    assert first["pages"] == 2 and second["pages"] == 2
    assert [s["story"] for s in first["stories"] + second["stories"]] == [
        story_of(folded, BIG),
        story_of(folded, SMALL),
    ]
    assert http.get("/api/stories", params={"page": 3}).json()["stories"] == []
    assert http.get("/api/stories", params={"lang": "en"}).json()["total"] == 2
    assert http.get("/api/stories", params={"lang": "de"}).json()["total"] == 0
    # The seeds carry no dates and no outlet: a date range or an outlet keeps none.
    assert http.get("/api/stories", params={"since": "2022-01-01"}).json()["total"] == 0
    assert http.get("/api/stories", params={"source": "Reuters"}).json()["total"] == 0
    found = http.get("/api/stories", params={"q": "Kozyrev"}).json()
    assert [s["story"] for s in found["stories"]] == [story_of(folded, BIG)]


def test_story_is_the_export_record(http: TestClient, folded: Engine) -> None:
    story = story_of(folded, BIG)
    answer = http.get(f"/api/stories/{story}")
    assert answer.status_code == 200
    assert answer.json() == json.loads(json.dumps(story_record(folded.store, story)))
    assert any(q["speaker"] == "Wang Yi" for q in answer.json()["quotes"])


def test_article_is_the_export_record(http: TestClient, folded: Engine) -> None:
    answer = http.get(f"/api/articles/{REWRITE}").json()
    article = folded.store.article(REWRITE)
    assert article is not None
    assert answer == json.loads(json.dumps(article_record(folded.store, article)))
    assert answer["copy_of"] == BIG and answer["copy_kind"] == "rewrite"


def test_search_finds_articles_and_their_stories(http: TestClient, folded: Engine) -> None:
    body = http.get("/api/search", params={"q": "Kozyrev markets"}).json()
    assert {a["id"] for a in body["articles"]} == {BIG, REWRITE}
    assert all("Kozyrev" in a["snippet"] or "markets" in a["snippet"] for a in body["articles"])
    assert [s["story"] for s in body["stories"]] == [story_of(folded, BIG)]
    assert http.get("/api/search", params={"q": "zzzunknownword"}).json()["articles"] == []
    # FTS syntax in a query is taken as words, never as an error.
    odd = http.get("/api/search", params={"q": 'AND OR "( NEAR* -'})
    assert odd.status_code == 200 and odd.json()["articles"] == []


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/api/stories/nope", 404, "no story 'nope'"),
        ("/api/articles/nope", 404, "no article 'nope'"),
        ("/api/stories?page=0", 422, "page"),
        ("/api/stories?per_page=1000", 422, "per_page"),
        ("/api/stories?since=yesterday", 422, "since"),
        ("/api/stories?sort=best", 422, "sort"),
        ("/api/search", 422, "q"),
        ("/api/nothing-here", 404, "Not Found"),
    ],
)
def test_api_errors_are_json_with_a_message(
    http: TestClient, url: str, status: int, says: str
) -> None:
    answer = http.get(url)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/json")
    assert says in answer.json()["error"]


def test_openapi_docs(http: TestClient) -> None:
    docs = http.get("/docs")
    assert docs.status_code == 200
    # everything the docs page loads comes from this server (works offline)
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert http.get(asset).status_code == 200, asset
    spec = http.get("/openapi.json").json()
    for path in (
        "/api/stories",
        "/api/stories/{story}",
        "/api/articles/{article}",
        "/api/search",
        "/api/articles",
    ):
        assert path in spec["paths"]
    body = spec["paths"]["/api/articles"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["type"] == "array"


# --- pages -----------------------------------------------------------------------------


def test_home_page(http: TestClient) -> None:
    page = http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'none'" in page.headers["content-security-policy"]
    assert "Beijing moves to strengthen Moscow ties in wake of Ukraine invasion" in page.text
    assert "2 stories" in page.text
    found = http.get("/", params={"q": "Kozyrev"}).text
    assert "1 of 2 stories" in found and "Beijing moves" in found
    assert "is not a date" in http.get("/", params={"since": "soon"}).text


def test_story_page(http: TestClient, folded: Engine) -> None:
    page = http.get(f"/stories/{story_of(folded, BIG)}").text
    for section in ("summary", "sources", "coverage", "quotes", "entities", "timeline", "related"):
        assert f'id="{section}"' in page
    assert "Wang Yi" in page and "Andrei Kozyrev" in page
    # Every source is numbered and the copy is shown under its original.
    assert page.count('class="source"') == 3
    assert "rewrite" in page
    # The coverage matrix: one row per claim, one column per source.
    matrix = page[page.index('class="matrix"') : page.index("</table>")]
    assert matrix.count("<tr>") > 3 and matrix.count('class="src-col"') == 3
    # Related stories by their titles, not their ids.
    assert 'href="/stories/' + story_of(folded, SMALL) + '">Chinese leader Xi Jinping' in page
    assert http.get("/stories/nope").status_code == 404


def test_article_page_shows_removed_boilerplate_and_copy_family(http: TestClient) -> None:
    page = http.get(f"/articles/{BIG}").text
    assert "<del>CLICK HERE TO GET THE FOX NEWS APP</del>" in page
    assert "call-to-action" in page
    assert 'id="family"' in page and f'href="/articles/{REWRITE}"' in page
    copy = http.get(f"/articles/{REWRITE}").text
    assert "copy of" in copy and "Ukraine war: Russia, China look to develop closer ties" in copy


def test_copies_page(http: TestClient) -> None:
    page = http.get("/copies").text
    assert "1 article copied" in page
    assert f'href="/articles/{REWRITE}"' in page and "rewrite" in page


# --- ingest ----------------------------------------------------------------------------

GOOD = [
    {
        "id": "a1",
        "title": "Storm closes harbour",
        "source": "Coast Daily",
        "published": "2026-11-20",
        "text": "A storm closed the harbour of Port Ellen on Friday, the harbour master said. "
        "Ferries to the mainland were cancelled until Sunday and fishing boats stayed in port. "
        "The coastguard warned walkers to keep away from the cliffs as waves reached ten metres.",
    },
]


def test_ingest_refused_without_a_configured_token(tmp_path: Path) -> None:
    with client(create_app(tmp_path / "s.db", engine_factory=hashing_engine)) as http:
        answer = http.post("/api/articles", json=GOOD, headers=AUTH)
    assert answer.status_code == 403 and "--token" in answer.json()["error"]
    assert count_articles(tmp_path / "s.db") == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": TOKEN},
        {"Authorization": "Basic " + TOKEN},
    ],
)
def test_ingest_needs_the_token(
    ingest_http: tuple[TestClient, Path], headers: dict[str, str]
) -> None:
    http, db = ingest_http
    answer = http.post("/api/articles", json=GOOD, headers=headers)
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["error"]
    assert count_articles(db) == 0


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 422, "not JSON"),
        (b"\xff\xfe", 422, "not JSON"),
        (b'{"id": "x", "text": "a"}', 422, "expected a JSON list"),
        (b"[]", 422, "empty"),
        (
            json.dumps([{"id": "x", "text": "Some text here.", "title": 5}]).encode(),
            422,
            "field 'title' must be a string",
        ),
        (json.dumps([*GOOD, "just a string"]).encode(), 422, "article [1]: expected a JSON object"),
        (json.dumps([*GOOD, {"id": "b", "text": "  "}]).encode(), 422, "no 'text' or 'html'"),
        (json.dumps([GOOD[0]] * 6).encode(), 413, "at most 5"),
        (json.dumps([{**GOOD[0], "text": "word " * 50_000}]).encode(), 413, "over 200,000 bytes"),
    ],
)
def test_bad_bodies_are_refused_and_write_nothing(
    ingest_http: tuple[TestClient, Path], body: bytes, status: int, says: str
) -> None:
    http, db = ingest_http
    answer = http.post(
        "/api/articles", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert answer.status_code == status, answer.text
    assert says in answer.json()["error"]
    assert count_articles(db) == 0


def test_ingest_then_read(ingest_http: tuple[TestClient, Path]) -> None:
    http, db = ingest_http
    answer = http.post("/api/articles", json=GOOD, headers=AUTH)
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    assert report["ingested"] == 1 and report["skipped"] == []
    story = report["articles"][0]["story"]
    assert story and count_articles(db) == 1
    assert http.get("/api/articles/a1").json()["source"] == "Coast Daily"
    listed = http.get("/api/stories", params={"source": "Coast Daily"}).json()["stories"]
    assert [s["story"] for s in listed] == [story]
    assert listed[0]["first_seen"] == "2026-11-20"
    assert http.get("/api/stories", params={"since": "2026-11-21"}).json()["total"] == 0
    assert http.get("/api/stories", params={"until": "2026-11-20"}).json()["total"] == 1
    assert "Storm closes harbour" in http.get("/").text
    # The same articles again change nothing.
    again = http.post("/api/articles", json=GOOD, headers=AUTH).json()
    assert again["ingested"] == 0 and again["unchanged"] == 1


# --- safety ----------------------------------------------------------------------------


def test_hostile_articles_are_escaped_everywhere(hostile_db: Path) -> None:
    with client(create_app(hostile_db)) as http:
        story = http.get("/api/articles/hostile-1").json()["story"]
        record = http.get(f"/api/stories/{story}").json()
        assert any("<script>" in q["text"] for q in record["quotes"]), record["quotes"]
        pages = [
            http.get(url).text
            for url in (
                "/",
                f"/stories/{story}",
                "/articles/hostile-1",
                "/articles/hostile-2",
                "/copies",
                "/?q=fireworks",
                "/?source=" + hostile_articles()[0]["source"],
            )
        ]
    for page in pages:
        assert "<script" not in page.lower()
        assert "<img" not in page.lower() and "<b>" not in page and "<i>" not in page
        assert 'href="javascript:' not in page.lower()
    story_page, article_page = pages[1], pages[2]
    shown = HOSTILE.replace("<", "&lt;").replace(">", "&gt;")
    # Each field is on the page, as text: title, outlet, byline, quote, body.
    assert f"<h1>{shown}Fireworks &lt;b&gt;banned&lt;/b&gt;</h1>" in article_page
    assert f'<span class="outlet">{shown}Evil Times</span>' in article_page
    assert f"<span>by {shown} Jane Smith</span>" in article_page
    assert f"<p>&#34;{shown} We will not allow" in article_page
    assert "&lt;img src=x onerror=&#34;window.__pwned=2&#34;&gt;" in article_page
    assert f"<blockquote>“{shown} We will not allow" in story_page
    assert f'<div class="byline">by {shown} Jane Smith</div>' in story_page


def test_serve_command(folded: Engine, tmp_path: Path) -> None:
    """`storyfold serve` answers over HTTP, taking its token from STORYFOLD_TOKEN."""
    with serve_process(folded.store.path, token=TOKEN) as base:
        assert httpx.get(base + "/api/stories", timeout=30).json()["total"] == 2
        refused = httpx.post(base + "/api/articles", json=GOOD, timeout=30)
        assert refused.status_code == 401  # a token is configured, none was sent
    without = {k: v for k, v in os.environ.items() if k != "STORYFOLD_TOKEN"}
    missing = subprocess.run(
        [sys.executable, "-m", "storyfold", "serve", "--db", str(tmp_path / "none.db")],
        capture_output=True,
        text=True,
        env=without,
    )
    assert missing.returncode == 2 and "no store at" in missing.stderr


def test_a_failing_ingest_answers_json(tmp_path: Path) -> None:
    app = create_app(tmp_path / "s.db", ServeOptions(token=TOKEN), broken_engine)
    with client(app) as http:
        answer = http.post("/api/articles", json=GOOD, headers=AUTH)
        assert answer.status_code == 500
        assert "holds vectors of the embedder 'use'" in answer.json()["error"]
        # The server goes on serving.
        assert http.get("/api/stories").json()["total"] == 0
    assert count_articles(tmp_path / "s.db") == 0
