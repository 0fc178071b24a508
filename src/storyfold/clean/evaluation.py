"""``storyfold eval clean``: score cleaning on labelled pages.

Two kinds of input:

- a ``*.text.jsonl`` file: one page a line, its plain text in ``page_text``
  (or ``text``) and the gold article in ``gold_body`` (or ``body``);
  optional gold ``title``, ``author``, ``published`` and ``url``;
- a pages folder: ``gold.json`` (``{id: {url, body, [title, author,
  published]}}``) and ``html/<id>.html.gz`` (or ``.html``).

Bodies are scored with :mod:`storyfold.clean.scoring`; metadata, where the gold
has it, as accuracy: a title or byline counts when its similarity ratio with
the gold one is at least 0.9, a date when it names the same day.  Each share
is over the pages whose gold has that field.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from storyfold.clean.base import HtmlCleaner, TextCleaner
from storyfold.clean.dates import day_of, parse_date
from storyfold.clean.scoring import ExtractionScores, match, scores, similarity
from storyfold.errors import InputError
from storyfold.records import Cleaned

SIMILAR = 0.9
"""A title or byline is right when its similarity ratio with the gold one reaches this."""


@dataclass(frozen=True, slots=True)
class LabelledPage:
    id: str
    gold_body: str
    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None


@dataclass(frozen=True, slots=True)
class CleanReport:
    """Body scores, metadata accuracy (None where the gold has no such field) and speed."""

    body: ExtractionScores
    title: float | None
    author: float | None
    date: float | None
    pages_per_second: float
    worst: list[tuple[float, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "pages": self.body.pages,
            "precision": round(self.body.precision, 4),
            "recall": round(self.body.recall, 4),
            "f1": round(self.body.f1, 4),
            "title_accuracy": None if self.title is None else round(self.title, 4),
            "author_accuracy": None if self.author is None else round(self.author, 4),
            "date_accuracy": None if self.date is None else round(self.date, 4),
            "pages_per_cpu_second": round(self.pages_per_second, 1),
        }


def read_pages(path: Path) -> list[LabelledPage]:
    """The labelled pages of a ``*.text.jsonl`` file or a pages folder."""
    if path.is_dir():
        return list(_folder(path))
    if not path.is_file():
        raise InputError(str(path), "no such file or folder; give a *.text.jsonl or a pages folder")
    pages = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text = row.get("page_text", row.get("text"))
                gold = row.get("gold_body", row.get("body"))
                if not isinstance(text, str) or not isinstance(gold, str):
                    raise KeyError("page_text/gold_body")
            except (ValueError, KeyError, AttributeError) as exc:
                raise InputError(
                    f"{path}:{number}",
                    f"not a labelled page ({exc}); each line needs "
                    "'page_text' (or 'text') and 'gold_body' (or 'body')",
                ) from exc
            pages.append(
                LabelledPage(
                    id=str(row.get("id", number)),
                    gold_body=gold,
                    text=text,
                    url=row.get("url"),
                    title=row.get("title"),
                    author=row.get("author"),
                    published=row.get("published"),
                )
            )
    return pages


def _folder(path: Path) -> Iterator[LabelledPage]:
    gold_file = path / "gold.json"
    if not gold_file.is_file():
        raise InputError(str(path), "no gold.json; a pages folder holds gold.json and html/")
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    for page_id, meta in gold.items():
        html_file = path / "html" / f"{page_id}.html.gz"
        if html_file.is_file():
            raw = gzip.decompress(html_file.read_bytes())
        elif (plain := path / "html" / f"{page_id}.html").is_file():
            raw = plain.read_bytes()
        else:
            raise InputError(str(path), f"no html/{page_id}.html.gz for a page in gold.json")
        yield LabelledPage(
            id=page_id,
            gold_body=meta.get("body") or "",
            html=raw.decode("utf-8", errors="replace"),
            url=meta.get("url"),
            title=meta.get("title"),
            author=meta.get("author"),
            published=meta.get("published"),
        )


def score_pages(
    pages: list[LabelledPage],
    clean: Callable[[LabelledPage], Cleaned],
    progress: Callable[[int], None] | None = None,
    worst: int = 0,
) -> CleanReport:
    """Clean every page with ``clean`` and score bodies and metadata."""
    counts = []
    titles: list[bool] = []
    authors: list[bool] = []
    dates: list[bool] = []
    f1s: list[tuple[float, str]] = []
    elapsed = 0.0
    for page in pages:
        started = time.process_time()
        cleaned = clean(page)
        elapsed += time.process_time() - started
        c = match(page.gold_body, cleaned.body)
        counts.append(c)
        if worst:
            tp, fp, fn = c
            f1s.append((2 * tp / (2 * tp + fp + fn) if tp else 0.0, page.id))
        if page.title:
            titles.append(similarity(cleaned.title or "", page.title) >= SIMILAR)
        if page.author:
            authors.append(similarity(cleaned.byline or "", page.author) >= SIMILAR)
        if page.published:
            gold_day = day_of(parse_date(page.published))
            dates.append(gold_day is not None and day_of(cleaned.published) == gold_day)
        if progress:
            progress(1)
    return CleanReport(
        body=scores(counts),
        title=sum(titles) / len(titles) if titles else None,
        author=sum(authors) / len(authors) if authors else None,
        date=sum(dates) / len(dates) if dates else None,
        pages_per_second=len(pages) / elapsed if elapsed else 0.0,
        worst=sorted(f1s)[:worst],
    )


def evaluate_clean(
    path: Path,
    text_cleaner: TextCleaner | None = None,
    html_cleaner: HtmlCleaner | None = None,
    progress: Callable[[int], None] | None = None,
) -> CleanReport:
    """Score the default cleaners (or the given ones) on a labelled file or folder."""
    pages = read_pages(path)
    if text_cleaner is None:
        from storyfold.clean.learned import LearnedTextCleaner

        text_cleaner = LearnedTextCleaner()
    if html_cleaner is None:
        from storyfold.clean.html import TrafilaturaCleaner

        html_cleaner = TrafilaturaCleaner(text_cleaner)
    text, html = text_cleaner, html_cleaner

    def clean(page: LabelledPage) -> Cleaned:
        if page.html is not None:
            return html.clean(page.html, page.url)
        return text.clean(page.text or "")

    return score_pages(pages, clean, progress)
