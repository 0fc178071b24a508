"""Readers and the HTML path, on real pages."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from storyfold import Engine, Settings
from storyfold.readers import Notice, Skipped, read_inputs
from storyfold.records import RawArticle
from storyfold.represent.text import words

from .conftest import DATA

PAGES = DATA / "pages" / "scrapinghub"


def _first_page() -> tuple[Path, str]:
    gold = json.loads((PAGES / "gold.json").read_text(encoding="utf-8"))
    path = sorted((PAGES / "html").glob("*.html.gz"))[0]
    return path, gold[path.name.removesuffix(".html.gz")]["body"]


def _recall(body: str, gold: str) -> float:
    got, want = set(words(body)), set(words(gold))
    return len(got & want) / max(1, len(want))


def test_html_page_is_cleaned_with_metadata(tmp_path: Path) -> None:
    path, gold = _first_page()
    with Engine.open(tmp_path / "s.db", settings=Settings(embedder="hashing")) as engine:
        report = engine.ingest_paths([path])
        assert report.ingested == 1 and not report.skipped
        [article] = list(engine.store.articles())
    assert article.id == path.name.removesuffix(".html.gz")
    assert article.title and article.lang == "en"
    assert _recall(article.body, gold) > 0.9


def test_jsonl_html_field_and_metadata(tmp_path: Path) -> None:
    path, _ = _first_page()
    html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
    feed = tmp_path / "feed.jsonl"
    row = {"id": "p1", "html": html, "url": "https://www.example.com/a", "desk": "tech"}
    feed.write_text(json.dumps(row) + "\n", encoding="utf-8")
    [item] = list(read_inputs([feed], 10**7))
    assert isinstance(item, RawArticle)
    assert item.html and item.text is None and item.metadata == (("desk", "tech"),)


def test_declared_charset_is_honoured(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="iso-8859-1"><title>Café</title></head><body><article>'
        + "<p>Le café du village a rouvert ses portes après dix ans de fermeture.</p>" * 8
        + "</article></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("iso-8859-1"))
    items = list(read_inputs([path], 10**7))
    [article] = [i for i in items if isinstance(i, RawArticle)]
    assert "café du village" in (article.html or "")
    assert not [i for i in items if isinstance(i, Notice | Skipped)]


def test_page_without_article_is_skipped_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><script>var x = 1;</script></body></html>", encoding="utf-8")
    with Engine.open(tmp_path / "s.db", settings=Settings(embedder="hashing")) as engine:
        report = engine.ingest_paths([path])
    assert report.ingested == 0
    [skipped] = report.skipped
    assert skipped.origin == str(path) and "no article body" in skipped.reason


def test_folder_walk_passes_over_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / "a.txt").write_text("An article about something that happened.", encoding="utf-8")
    items = list(read_inputs([tmp_path], 10**7))
    assert [i.id for i in items if isinstance(i, RawArticle)] == ["a"]
    assert not [i for i in items if isinstance(i, Skipped)]
    [named] = list(read_inputs([tmp_path / "notes.json"], 10**7))
    assert isinstance(named, Skipped) and "unknown kind of file" in named.reason
