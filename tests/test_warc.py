"""WARC archives written by the test with warcio: HTML pages become articles,
every other record is counted in one notice, and a damaged archive gives its
good records and then one Skipped naming the file and the offset."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyfold import Engine, Settings
from storyfold.readers import Notice, ReadItem, Skipped, WarcReader, read_inputs
from storyfold.records import RawArticle
from storyfold.store import Store

from .site import page

LIMIT = 10 * 1024 * 1024


def _response(
    writer: WARCWriter, url: str, body: bytes, content_type: str, status: str = "200 OK"
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": "2026-11-21T06:00:00Z"},
    )
    writer.write_record(record)


def _archive(path: Path, gzip: bool) -> None:
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        request = StatusAndHeaders(
            "GET /flood HTTP/1.1", [("Host", "a.example")], is_http_request=True
        )
        writer.write_record(
            writer.create_warc_record("https://a.example/flood", "request", http_headers=request)
        )
        _response(
            writer, "https://a.example/flood", page("flood").encode(), "text/html; charset=utf-8"
        )
        _response(
            writer, "https://a.example/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"
        )
        _response(writer, "https://a.example/gone", b"<p>gone</p>", "text/html", "404 Not Found")
        latin = page("election").replace("Varga", "Várga").encode("cp1252")
        _response(writer, "https://b.example/election", latin, "text/html; charset=windows-1252")


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_html_responses_become_articles(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    _archive(path, gzip=name.endswith(".gz"))
    items = list(WarcReader().read(path, LIMIT))
    articles = [i for i in items if isinstance(i, RawArticle)]
    assert [a.url for a in articles] == ["https://a.example/flood", "https://b.example/election"]
    first = articles[0]
    assert first.html == page("flood")
    assert first.published == "2026-11-21T06:00:00Z"
    assert ("crawl_date", "2026-11-21T06:00:00Z") in first.metadata
    assert first.origin.startswith(f"{path}@")
    assert articles[1].html is not None and "Várga" in articles[1].html  # its charset honoured
    [notice] = [i for i in items if isinstance(i, Notice)]
    assert notice.message == (
        "passed over 4 records that are not HTML pages: "
        "request 1, response 404 1, response not HTML 1, warcinfo 1"
    )
    assert not any(isinstance(i, Skipped) for i in items)
    assert len({a.id for a in articles}) == 2


def test_truncated_archive_keeps_the_good_records(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    _archive(whole, gzip=True)
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 200])  # the last record is cut short
    items = list(WarcReader().read(cut, LIMIT))
    urls = [i.url for i in items if isinstance(i, RawArticle)]
    assert urls == ["https://a.example/flood"]
    [skipped] = [i for i in items if isinstance(i, Skipped)]
    assert skipped.origin == str(cut)
    with whole.open("rb") as stream:
        records = ArchiveIterator(stream)
        last = [records.get_record_offset() for _ in records][-1]
    assert f"truncated WARC: the record at byte offset {last} is cut short" in skipped.reason


def test_garbage_inside_an_archive_is_reported_at_its_offset(tmp_path: Path) -> None:
    good = tmp_path / "good.warc"
    _archive(good, gzip=False)
    data = good.read_bytes()
    broken = tmp_path / "broken.warc"
    broken.write_bytes(data + b"this is not a WARC record\r\n" * 4)
    items: list[ReadItem] = list(WarcReader().read(broken, LIMIT))
    assert len([i for i in items if isinstance(i, RawArticle)]) == 2
    [skipped] = [i for i in items if isinstance(i, Skipped)]
    assert f"offset {len(data)}" in skipped.reason


def test_archives_in_a_folder_are_ingested(tmp_path: Path) -> None:
    folder = tmp_path / "crawls"
    folder.mkdir()
    _archive(folder / "a.warc.gz", gzip=True)
    items = list(read_inputs([folder], LIMIT))
    assert len([i for i in items if isinstance(i, RawArticle)]) == 2
    with Engine(Store.open(":memory:"), settings=Settings(embedder="hashing")) as engine:
        report = engine.ingest(items)
        assert report.ingested == 2 and report.skipped == []
        assert len(report.notices) == 1
        outlets = {o.name: o for o in engine.store.outlets()}
        assert set(outlets) == {"a.example", "b.example"}
        assert outlets["a.example"].first_seen == "2026-11-21T06:00:00Z"
