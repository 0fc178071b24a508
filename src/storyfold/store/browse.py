"""Read-side queries for people browsing a store: story summaries, full-text
search, copy families.  ``Store`` inherits these; they only read.

They never use the writer's caches (``story_states``, the lead vectors), so a
store opened only to read (``Store.open_reader``) stays cheap and sees every
committed batch.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass

from storyfold.outlets import outlet_name

# Marks around the matched words in a search snippet (private-use characters,
# never in news text), so a page can escape the snippet and then highlight.
MATCH_START, MATCH_END = "\ue000", "\ue001"


@dataclass(frozen=True, slots=True)
class StorySummary:
    """One story as a list shows it."""

    id: str
    title: str
    articles: int
    sources: tuple[str, ...]
    """Outlets (source, else host of the URL), the most frequent first."""
    langs: tuple[str, ...]
    first_seen: str | None
    last_seen: str | None
    """The earliest and latest publication days known (ISO ``YYYY-MM-DD``)."""
    last_seq: int
    """The arrival order of its newest article: the larger, the more recent."""


@dataclass(frozen=True, slots=True)
class ArticleHit:
    """An article matching a search, with its words in context."""

    id: str
    title: str | None
    source: str | None
    published: str | None
    story: str | None
    snippet: str
    """A few words around the match; matched words between ``MATCH_START`` and ``MATCH_END``."""


def fts_query(text: str) -> str | None:
    """A user's words as an FTS5 query: every word must occur (any order).
    Each word is quoted, so FTS5 syntax in the input is taken literally."""
    words = re.findall(r"\w+", text)
    if not words:
        return None
    return " ".join(f'"{word}"' for word in words[:32])


def iso_day(value: object) -> str | None:
    """The ``YYYY-MM-DD`` a date string starts with, if it does."""
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return None


class BrowseQueries:
    _db: sqlite3.Connection

    def last_seq(self) -> int:
        """The arrival order of the newest article (0 for none): it changes
        with every committed batch, so it keys caches of what pages show."""
        row = self._db.execute("SELECT max(seq) FROM articles").fetchone()
        return int(row[0] or 0)

    def story_dates(self, story: str) -> tuple[str | None, str | None]:
        """The story's first and last publication dates as the story stage keeps them."""
        row = self._db.execute(
            "SELECT first_seen, last_seen FROM stories WHERE id = ?", (story,)
        ).fetchone()
        if row is None:
            return None, None
        return (None if row[0] is None else str(row[0]), None if row[1] is None else str(row[1]))

    def story_summaries(self) -> list[StorySummary]:
        """Every story with its title, size, outlets, languages and dates."""
        titles: dict[str, str] = {}
        for sid, title in self._db.execute(
            "SELECT id, json_extract(digest, '$.title') FROM stories"
        ):
            titles[str(sid)] = str(title or "")
        sources: dict[str, Counter[str]] = {}
        langs: dict[str, set[str]] = {}
        days: dict[str, list[str]] = {}
        sizes: Counter[str] = Counter()
        last: dict[str, int] = {}
        for story, seq, source, url, lang, published in self._db.execute(
            "SELECT story, seq, source, url, lang, published FROM articles WHERE story IS NOT NULL"
        ):
            sid = str(story)
            sizes[sid] += 1
            last[sid] = max(last.get(sid, 0), int(seq))
            name = outlet_name(source, url)
            if name:
                sources.setdefault(sid, Counter())[name] += 1
            if lang:
                langs.setdefault(sid, set()).add(str(lang))
            day = iso_day(published)
            if day:
                days.setdefault(sid, []).append(day)
        summaries = []
        for sid, size in sizes.items():
            counts = sources.get(sid, Counter())
            story_days = days.get(sid, [])
            summaries.append(
                StorySummary(
                    id=sid,
                    title=titles.get(sid, ""),
                    articles=size,
                    sources=tuple(sorted(counts, key=lambda s: (-counts[s], s))),
                    langs=tuple(sorted(langs.get(sid, ()))),
                    first_seen=min(story_days) if story_days else None,
                    last_seen=max(story_days) if story_days else None,
                    last_seq=last[sid],
                )
            )
        return summaries

    def search_articles(self, text: str, limit: int = 50) -> list[ArticleHit]:
        """Articles whose title or body hold every word of ``text``, best first."""
        query = fts_query(text)
        if query is None:
            return []
        rows = self._db.execute(
            "SELECT a.id, a.title, a.source, a.url, a.published, a.story, "
            f"snippet(articles_fts, 1, '{MATCH_START}', '{MATCH_END}', ' … ', 24) "
            "FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
            "WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
            (query, limit),
        )
        return [
            ArticleHit(
                id=str(aid),
                title=None if title is None else str(title),
                source=outlet_name(source, url),
                published=None if published is None else str(published),
                story=None if story is None else str(story),
                snippet=str(snippet or ""),
            )
            for aid, title, source, url, published, story, snippet in rows
        ]

    def stories_matching(self, text: str, limit: int = 2000) -> list[str]:
        """Stories with an article holding every word of ``text``, best match first."""
        query = fts_query(text)
        if query is None:
            return []
        rows = self._db.execute(
            "SELECT a.story, min(rank) AS best FROM articles_fts "
            "JOIN articles a ON a.seq = articles_fts.rowid "
            "WHERE articles_fts MATCH ? AND a.story IS NOT NULL "
            "GROUP BY a.story ORDER BY best LIMIT ?",
            (query, limit),
        )
        return [str(r[0]) for r in rows]

    def copy_family(self, article_id: str) -> tuple[str, list[str]] | None:
        """The original of the article's copy family and its copies, in arrival
        order; None when the article has no copies and is no copy."""
        row = self._db.execute(
            "SELECT copy_of FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return None
        root = article_id if row[0] is None else str(row[0])
        copies = [
            str(r[0])
            for r in self._db.execute(
                "SELECT id FROM articles WHERE copy_of = ? ORDER BY seq", (root,)
            )
        ]
        return (root, copies) if copies else None

    def titles(self, article_ids: list[str]) -> dict[str, str | None]:
        """Each article's title (None when it has none)."""
        found: dict[str, str | None] = {}
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for aid, title in self._db.execute(
                f"SELECT id, title FROM articles WHERE id IN ({marks})", chunk
            ):
                found[str(aid)] = None if title is None else str(title)
        return found
