"""Web archives (``.warc``, ``.warc.gz``): one raw article per HTML page captured.

Only ``response`` records with status 200 and an HTML body are articles; every
other record (requests, metadata, images, redirects) is counted and reported in
one notice, not one line each: a crawl holds far more of them than pages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from storyfold.readers.base import Notice, ReadItem, Skipped
from storyfold.readers.decode import declared_html_charset, decode_text
from storyfold.records import RawArticle
from storyfold.represent.text import stable_id

WARC_SUFFIXES = (".warc", ".warc.gz")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class _Truncated(Exception):
    def __init__(self, offset: int) -> None:
        self.offset = offset


class WarcReader:
    """``.warc`` and ``.warc.gz`` files.  A corrupt or truncated archive yields
    every good record before the damage, then a Skipped naming the offset."""

    def accepts(self, path: Path) -> bool:
        return path.name.lower().endswith(WARC_SUFFIXES)

    def read(self, path: Path, max_bytes: int) -> Iterator[ReadItem]:
        passed_over: Counter[str] = Counter()
        try:
            stream = path.open("rb")
        except OSError as exc:
            yield Skipped(str(path), f"cannot read: {exc.strerror or exc}")
            return
        with stream:
            records = ArchiveIterator(stream)
            # Where the next record starts: after a damaged one, where the damage is.
            next_offset = 0
            while True:
                try:
                    record = next(records)
                    item = _article(path, record, max_bytes, passed_over)
                    # warcio finds a record's offset and length by reading to its
                    # end, so they are asked for only once its body has been read.
                    offset = records.get_record_offset()
                    if getattr(record.raw_stream, "limit", 0) > 0:
                        # The archive ended before the record's Content-Length did:
                        # warcio hands such a record over cut short, without a word.
                        raise _Truncated(offset)
                    next_offset = records.offset
                except StopIteration:
                    break
                except _Truncated as cut:
                    yield Skipped(
                        str(path),
                        f"truncated WARC: the record at byte offset {cut.offset} is cut short; "
                        "the records before it were read",
                    )
                    break
                except Exception as exc:  # warcio raises many kinds on damaged input
                    yield Skipped(
                        str(path),
                        f"corrupt or truncated WARC at byte offset {next_offset} "
                        f"({type(exc).__name__}: {exc}); the records before it were read",
                    )
                    break
                if item is not None:
                    yield replace(item, origin=f"{path}@{offset}")
        if passed_over:
            counts = ", ".join(f"{kind} {n}" for kind, n in sorted(passed_over.items()))
            total = sum(passed_over.values())
            message = f"passed over {total} records that are not HTML pages: {counts}"
            yield Notice(str(path), message)


def _article(path: Path, record: Any, max_bytes: int, passed_over: Counter[str]) -> ReadItem | None:
    kind = str(record.rec_type)
    if kind != "response" or record.http_headers is None:
        passed_over[kind] += 1
        return None
    status = record.http_headers.get_statuscode()
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    if status != "200":
        passed_over[f"response {status}"] += 1
        return None
    if content_type.split(";")[0].strip() not in _HTML_TYPES:
        passed_over["response not HTML"] += 1
        return None
    origin = str(path)  # the caller adds the offset once it is known
    body = record.content_stream().read(max_bytes + 1)
    if len(body) > max_bytes:
        return Skipped(origin, f"page larger than {max_bytes / 1e6:.1f} MB")
    charset = None
    if "charset=" in content_type:
        charset = content_type.split("charset=")[1].split(";")[0].strip(" \"'")
    html, _ = decode_text(body, charset or declared_html_charset(body))
    if not html.strip():
        passed_over["response empty"] += 1
        return None
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    crawled = headers.get_header("WARC-Date")
    record_id = headers.get_header("WARC-Record-ID")
    return RawArticle(
        id=stable_id(record_id) if record_id else stable_id(url, crawled),
        origin=origin,
        html=html,
        url=url,
        # The capture date is the one date the archive vouches for: it stands as
        # the publication date (an upper bound of it), and stays in metadata.
        published=crawled,
        metadata=(("crawl_date", crawled or ""), ("warc", str(path))),
    )
