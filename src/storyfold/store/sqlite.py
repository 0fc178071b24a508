"""The embedded store: one SQLite file in WAL mode, migrated on open.

All writes of one ingest batch happen inside :meth:`Store.transaction`, so a
batch is committed whole or not at all; a process killed mid-batch leaves the
store as it was before the batch.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from storyfold.copies.leads import LeadIndex, day_number
from storyfold.digest.extract import (
    EXTRACT_VERSION,
    ArticleExtract,
    extract_from_row,
    extract_to_row,
)
from storyfold.errors import StoreError
from storyfold.outlets import host_of, outlet_name
from storyfold.records import (
    Article,
    Assignment,
    Claim,
    CopyLink,
    DateSeen,
    Digest,
    Entity,
    Quote,
    Related,
    RemovedSpan,
    SummarySentence,
)
from storyfold.represent.base import Representation, Vectors
from storyfold.represent.dates import YEARS
from storyfold.represent.minhash import signature_from_blob, signature_to_blob
from storyfold.represent.terms import terms_from_blob, terms_to_blob
from storyfold.store.browse import BrowseQueries
from storyfold.store.schema import MIGRATIONS

_ARTICLE_COLUMNS = (
    "seq, id, origin, content_hash, title, dek, byline, published, url, source, lang, body, "
    "removed, metadata"
)


@dataclass(frozen=True, slots=True)
class StoredLink:
    kind: str
    original: str
    score: float
    evidence: dict[str, float]


ACTIVE_BY_SEQ = "SELECT id FROM stories WHERE updated >= ?"
ACTIVE_BY_DAY = "SELECT id FROM stories WHERE last_seen >= ? AND first_seen <= ?"
"""The two halves of the active-story query (``Store.active_story_states``):
stories joined since a seq, stories whose days meet a window.  Schema 7's
indexes answer both without reading the story rows."""


@dataclass(frozen=True, slots=True)
class StoryState:
    """What the story stage needs of a story: the sums of its members' vectors,
    its size, total length in words and dates."""

    id: str
    seq: int
    size: int
    first_seen: str | None
    last_seen: str | None
    words: int
    lead: Vectors
    names: Vectors
    content: Vectors
    phrases: Vectors
    years: Vectors
    """Counts of the years the members mention (``storyfold.stories.dates``)."""
    updated: int
    """The ``seq`` of the last article that joined: how recently it was active."""


@dataclass(frozen=True, slots=True)
class Outlet:
    """A publisher: its name (the articles' source, else the host of their URL),
    its most common host, how many articles it has and their date range."""

    name: str
    domain: str | None
    articles: int
    first_seen: str | None
    last_seen: str | None


UNKNOWN_OUTLET = "(unknown)"
"""The outlet of articles that name neither a source nor a URL."""

_STATE_COLUMNS = (
    "id, seq, size, first_seen, last_seen, words, lead, names, content, phrases, years, updated"
)


class Store(BrowseQueries):
    """A storyfold store in one SQLite file."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self._db = connection
        self.path = path
        self._leads: LeadIndex | None = None
        self._stories: dict[str, StoryState] | None = None

    # --- opening -------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path) -> Store:
        target = str(path)
        if target != ":memory:" and Path(target).is_dir():
            raise StoreError(f"{target} is a folder; give the path of a store file")
        try:
            db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=30000")
            version = db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{target} is not a storyfold store ({exc})") from exc
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{target} was written by a newer storyfold (schema {version}, this one "
                f"knows {len(MIGRATIONS)}); upgrade storyfold"
            )
        for number in range(version, len(MIGRATIONS)):
            # One script, one transaction: a migration applies whole or not at all.
            version_set = f"PRAGMA user_version = {number + 1};"
            script = f"BEGIN IMMEDIATE;\n{MIGRATIONS[number]}\n{version_set}\nCOMMIT;"
            try:
                db.executescript(script)
            except sqlite3.Error as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise StoreError(
                    f"could not migrate {target} to schema {number + 1}: {exc}"
                ) from exc
        return cls(db, target)

    @classmethod
    def open_reader(cls, path: str | Path) -> Store:
        """Another connection to a store that ``open`` has made current, only to
        read: in WAL mode it never waits for a writer, and sees each batch once
        it is committed.  Use one per thread."""
        target = str(path)
        if not Path(target).is_file():
            raise StoreError(f"no store at {target}")
        db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA query_only=ON")
        db.execute("PRAGMA busy_timeout=30000")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != len(MIGRATIONS):
            db.close()
            raise StoreError(f"{target} is at schema {version}; open it with Store.open first")
        return cls(db, target)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside is committed together, or rolled back on any error."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            self._forget_caches()
            raise
        self._db.execute("COMMIT")

    def _forget_caches(self) -> None:
        self._leads = None
        self._stories = None

    # --- meta ----------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- feeds a watcher follows ---------------------------------------------
    def feed_validators(self, url: str) -> tuple[str | None, str | None] | None:
        """The feed's ``(ETag, Last-Modified)`` as last stored, if any."""
        row = self._db.execute(
            "SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)
        ).fetchone()
        return None if row is None else (_opt(row[0]), _opt(row[1]))

    def set_feed_validators(
        self, url: str, validators: tuple[str | None, str | None] | None, checked: str
    ) -> None:
        etag, modified = validators or (None, None)
        self._db.execute(
            "INSERT INTO feeds (url, etag, last_modified, checked) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, "
            "last_modified = excluded.last_modified, checked = excluded.checked",
            (url, etag, modified, checked),
        )

    def seen_items(self, feed: str) -> set[str]:
        rows = self._db.execute("SELECT item FROM seen_items WHERE feed = ?", (feed,))
        return {str(r[0]) for r in rows}

    def add_seen_items(self, feed: str, items: Iterable[str]) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO seen_items (feed, item) VALUES (?, ?)",
            [(feed, item) for item in items],
        )

    # --- outlets -------------------------------------------------------------
    def outlets(self) -> list[Outlet]:
        """Every outlet with its article count, most common host and first and
        last publication dates, the one with the most articles first.  Articles
        with neither source nor URL are counted under ``UNKNOWN_OUTLET``."""
        counts: Counter[str] = Counter()
        hosts: dict[str, Counter[str]] = {}
        first: dict[str, str] = {}
        last: dict[str, str] = {}
        for source, url, published in self._db.execute(
            "SELECT source, url, published FROM articles ORDER BY seq"
        ):
            name = outlet_name(source, url) or UNKNOWN_OUTLET
            counts[name] += 1
            host = host_of(url)
            if host:
                hosts.setdefault(name, Counter())[host] += 1
            if published:
                if name not in first or _date_key(published) < _date_key(first[name]):
                    first[name] = published
                if name not in last or _date_key(published) > _date_key(last[name]):
                    last[name] = published
        outlets = [
            Outlet(
                name=name,
                domain=hosts[name].most_common(1)[0][0] if name in hosts else None,
                articles=count,
                first_seen=first.get(name),
                last_seen=last.get(name),
            )
            for name, count in counts.items()
        ]
        return sorted(outlets, key=lambda o: (-o.articles, o.name.casefold()))

    # --- articles ------------------------------------------------------------
    def content_hash(self, article_id: str) -> str | None:
        row = self._db.execute(
            "SELECT content_hash FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def put_article(
        self,
        article: Article,
        rep: Representation,
        band_keys: Iterable[str],
        ingested: str | None = None,
    ) -> int:
        """Store a new article and its representation; returns its arrival order.

        ``ingested`` (ISO UTC, default now) is kept: an article without a
        publication date is dated by it for copy candidates and expiry."""
        ingested = ingested or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        cursor = self._db.execute(
            "INSERT INTO articles (id, origin, content_hash, title, dek, byline, published, url, "
            "source, lang, body, removed, metadata, ingested) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                article.id,
                article.origin,
                article.content_hash,
                article.title,
                article.dek,
                article.byline,
                article.published,
                article.url,
                article.source,
                article.lang,
                article.body,
                json.dumps([[s.text, s.reason] for s in article.removed], ensure_ascii=False),
                json.dumps(dict(article.metadata), ensure_ascii=False),
                ingested,
            ),
        )
        self._db.execute(
            "INSERT INTO representations (article, signature, sentences, lead, names, content, "
            "phrases, words) VALUES (?,?,?,?,?,?,?,?)",
            (
                article.id,
                signature_to_blob(rep.signature),
                json.dumps(list(rep.sentences), ensure_ascii=False),
                _f32(rep.lead),
                terms_to_blob(rep.names),
                terms_to_blob(rep.content),
                terms_to_blob(rep.phrases),
                rep.words,
            ),
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO lsh_bands (key, article) VALUES (?, ?)",
            [(key, article.id) for key in band_keys],
        )
        if self._leads is not None:
            self._leads.add(article.id, rep.lead, _day(article.published, ingested))
        return int(cursor.lastrowid or 0)

    def article(self, article_id: str) -> Article | None:
        row = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return None if row is None else _article(row)

    def articles(self, story: str | None = None, since: int = 0) -> Iterator[Article]:
        """All articles in arrival order, or those of one story; only those
        stored from seq ``since`` on, when given."""
        if story is None:
            rows = self._db.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE seq >= ? ORDER BY seq", (since,)
            )
        else:
            rows = self._db.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE story = ? AND seq >= ? "
                "ORDER BY seq",
                (story, since),
            )
        for row in rows:
            yield _article(row)

    def max_seq(self) -> int:
        """The seq of the last article stored (0 when empty)."""
        row = self._db.execute("SELECT max(seq) FROM articles").fetchone()
        return int(row[0] or 0)

    def count_articles(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def ids_with_hash(self, content_hash: str) -> list[str]:
        rows = self._db.execute(
            "SELECT id FROM articles WHERE content_hash = ? ORDER BY seq", (content_hash,)
        )
        return [str(r[0]) for r in rows]

    def ids_with_band_keys(self, keys: Iterable[str]) -> list[str]:
        wanted = list(keys)
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        rows = self._db.execute(
            f"SELECT DISTINCT article FROM lsh_bands WHERE key IN ({marks})", wanted
        )
        return sorted(str(r[0]) for r in rows)

    def representation(self, article_id: str) -> Representation | None:
        row = self._db.execute(
            "SELECT signature, sentences, lead, names, content, phrases, words "
            "FROM representations WHERE article = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        return Representation(
            article=article_id,
            signature=signature_from_blob(row[0]),
            sentences=tuple(json.loads(row[1])),
            lead=_vec(row[2]),
            names=terms_from_blob(row[3]),
            content=terms_from_blob(row[4]),
            phrases=terms_from_blob(row[5]),
            words=int(row[6]),
        )

    def sentence_vectors(self, article_id: str) -> Vectors | None:
        """The article's sentence embeddings, if a copy check has made them."""
        row = self._db.execute(
            "SELECT vectors, sentences FROM representations WHERE article = ?", (article_id,)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        count = len(json.loads(row[1]))
        rows = _vec(row[0])
        return rows.reshape(count, len(rows) // count) if count else rows.reshape(0, 0)

    def put_sentence_vectors(self, article_id: str, vectors: Vectors) -> None:
        self._db.execute(
            "UPDATE representations SET vectors = ? WHERE article = ?", (_f32(vectors), article_id)
        )

    def article_day(self, article_id: str) -> int:
        """The day number copy candidates are searched around: the article's
        publication day, else the day it was ingested."""
        row = self._db.execute(
            "SELECT published, ingested FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return _day(None, None) if row is None else _day(row[0], row[1])

    def nearest(
        self, vector: Vectors, k: int, min_cosine: float, day: int | None = None, window: int = 0
    ) -> list[tuple[str, float]]:
        """The ``k`` stored articles whose lead embeddings are closest to
        ``vector``, among those dated within ``window`` days of ``day`` (all of
        them when ``day`` is None).  The leads are read once per open store
        and then kept in memory (:class:`storyfold.copies.leads.LeadIndex`)."""
        if day is None:
            day, window = 0, 10**7
        return self._lead_index(len(vector)).nearest(vector, k, min_cosine, day, window)

    def prepare_nearest(
        self, vectors: Sequence[Vectors], published: Sequence[str | None], window: int
    ) -> None:
        """Ready the lead search of a batch about to be stored and checked
        (:meth:`storyfold.copies.leads.LeadIndex.prepare`); ``published`` dates
        each vector's article (undated: today, its ingest day)."""
        if vectors:
            days = [_day(when, None) for when in published]
            self._lead_index(len(vectors[0])).prepare(vectors, days, window)

    def _lead_index(self, dim: int) -> LeadIndex:
        if self._leads is None:
            self._leads = LeadIndex(dim)
            for article_id, blob, published, ingested in self._db.execute(
                "SELECT r.article, r.lead, a.published, a.ingested FROM representations r "
                "JOIN articles a ON a.id = r.article ORDER BY a.seq"
            ):
                self._leads.add(str(article_id), _vec(blob), _day(published, ingested))
        return self._leads

    def rebuild_band_keys(self, keys_of: Callable[[Representation], list[str]]) -> None:
        """Replace every article's LSH band keys by ``keys_of`` its representation."""
        self._db.execute("DELETE FROM lsh_bands")
        for (article_id,) in self._db.execute("SELECT id FROM articles ORDER BY seq").fetchall():
            rep = self.representation(str(article_id))
            assert rep is not None, "a stored article has a representation"
            self._db.executemany(
                "INSERT OR IGNORE INTO lsh_bands (key, article) VALUES (?, ?)",
                [(key, rep.article) for key in keys_of(rep)],
            )

    # --- deleting --------------------------------------------------------------
    def delete_article(self, article_id: str) -> None:
        """Delete an article; its representation, sentence embeddings and LSH
        band keys go with it (foreign keys ``ON DELETE CASCADE``).  Links and
        stories pointing at it are the engine's to mend first."""
        self._db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        if self._leads is not None:
            self._leads.remove(article_id)

    def ids_dated_before(self, before: str) -> list[str]:
        """Articles published before ``before`` (an ISO date or date-time; UTC
        when it names no zone), else, when undated, ingested before it."""
        limit = _date_key(before)
        rows = self._db.execute("SELECT id, published, ingested FROM articles ORDER BY seq")
        return [
            str(aid)
            for aid, published, ingested in rows
            if (when := published or ingested) is not None and _date_key(str(when)) < limit
        ]

    # --- copies --------------------------------------------------------------
    def set_copy(self, link: CopyLink) -> None:
        self._db.execute(
            "UPDATE articles SET copy_of = ?, copy_kind = ?, copy_score = ?, copy_evidence = ? "
            "WHERE id = ?",
            (link.original, link.kind, link.score, json.dumps(dict(link.evidence)), link.copy),
        )

    def clear_copy(self, article_id: str) -> None:
        self._db.execute(
            "UPDATE articles SET copy_of = NULL, copy_kind = NULL, copy_score = NULL, "
            "copy_evidence = NULL WHERE id = ?",
            (article_id,),
        )

    def copy_link(self, article_id: str) -> StoredLink | None:
        row = self._db.execute(
            "SELECT copy_kind, copy_of, copy_score, copy_evidence FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None or row[1] is None:
            return None
        return StoredLink(str(row[0]), str(row[1]), float(row[2]), json.loads(row[3] or "{}"))

    def copies_of(self, original: str) -> list[str]:
        rows = self._db.execute(
            "SELECT id FROM articles WHERE copy_of = ? ORDER BY seq", (original,)
        )
        return [str(r[0]) for r in rows]

    def originals_with_copies(self) -> list[str]:
        """Articles that have copies, in arrival order."""
        rows = self._db.execute(
            "SELECT DISTINCT o.id, o.seq FROM articles o JOIN articles c ON c.copy_of = o.id "
            "ORDER BY o.seq"
        )
        return [str(r[0]) for r in rows]

    def seq(self, article_id: str) -> int:
        row = self._db.execute("SELECT seq FROM articles WHERE id = ?", (article_id,)).fetchone()
        return 0 if row is None else int(row[0])

    # --- stories -------------------------------------------------------------
    def set_story(self, assignment: Assignment) -> None:
        self._db.execute(
            "UPDATE articles SET story = ?, assign_score = ?, assign_parts = ? WHERE id = ?",
            (
                assignment.story,
                assignment.score,
                json.dumps(dict(assignment.parts)),
                assignment.article,
            ),
        )

    def story_of(self, article_id: str) -> str | None:
        row = self._db.execute("SELECT story FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def assignment(self, article_id: str) -> tuple[float, dict[str, float]] | None:
        row = self._db.execute(
            "SELECT assign_score, assign_parts FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return float(row[0]), json.loads(row[1] or "{}")

    def story_states(self) -> dict[str, StoryState]:
        """Every story's state (for small stores and tools; ingest uses
        :meth:`active_story_states`)."""
        rows = self._db.execute(f"SELECT {_STATE_COLUMNS} FROM stories ORDER BY seq")
        return {state.id: state for state in map(_state, rows)}

    def story_state(self, story: str) -> StoryState | None:
        """One story's state, from the cache of active stories or the file."""
        cached = self._stories.get(story) if self._stories is not None else None
        if cached is not None:
            return cached
        row = self._db.execute(
            f"SELECT {_STATE_COLUMNS} FROM stories WHERE id = ?", (story,)
        ).fetchone()
        return None if row is None else _state(row)

    def active_story_states(
        self, day: date | None, since_seq: int, window_days: int
    ) -> dict[str, StoryState]:
        """The stories an article may join: those joined by one of the articles
        since ``since_seq``, and, when the article has a day, those whose days
        come within ``window_days`` of it.

        Both conditions use an index, so the cost follows the number of active
        stories, not the size of the store.  The states are cached on the store
        until the next call (the active set of the next article is nearly the
        same) or a rollback.
        """
        query = ACTIVE_BY_SEQ
        args: list[object] = [since_seq]
        if day is not None:
            lo = (day - timedelta(days=window_days)).isoformat()
            hi = (day + timedelta(days=window_days)).isoformat()
            query += " UNION " + ACTIVE_BY_DAY
            args += [lo, hi]
        ids = [str(r[0]) for r in self._db.execute(query, args)]
        cache = self._stories or {}
        missing = [i for i in ids if i not in cache]
        fresh: dict[str, StoryState] = {i: cache[i] for i in ids if i in cache}
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT {_STATE_COLUMNS} FROM stories WHERE id IN ({marks})", chunk
            ):
                state = _state(row)
                fresh[state.id] = state
        self._stories = fresh
        return dict(sorted(fresh.items(), key=lambda item: item[1].seq))

    def put_story_state(self, state: StoryState) -> None:
        columns = _STATE_COLUMNS.split(", ")
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns[2:])
        self._db.execute(
            f"INSERT INTO stories ({_STATE_COLUMNS}) VALUES ({','.join('?' * len(columns))}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            (
                state.id,
                state.seq,
                state.size,
                state.first_seen,
                state.last_seen,
                state.words,
                *(_f32(v) for v in (state.lead, state.names, state.content, state.phrases)),
                _f32(state.years),
                state.updated,
            ),
        )
        if self._stories is not None:
            self._stories[state.id] = state

    def move_articles(self, ids: Iterable[str], story: str) -> None:
        """Reassign articles to ``story`` (a merge or split; scores are kept)."""
        self._db.executemany(
            "UPDATE articles SET story = ? WHERE id = ?", [(story, i) for i in ids]
        )

    def delete_story(self, story: str) -> None:
        self._db.execute("DELETE FROM stories WHERE id = ?", (story,))
        if self._stories is not None:
            self._stories.pop(story, None)

    def record_story_change(
        self, kind: str, story: str, other: str, score: float | None, articles: int
    ) -> None:
        """A merge (``story`` folded into ``other``) or split (``story`` cut from ``other``)."""
        self._db.execute(
            "INSERT INTO story_changes (kind, story, other, score, articles, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (kind, story, other, score, articles, datetime.now(UTC).isoformat(timespec="seconds")),
        )

    def story_changes(self) -> list[tuple[str, str, str, float | None, int]]:
        """Every merge and split, oldest first: (kind, story, other, score, articles)."""
        rows = self._db.execute(
            "SELECT kind, story, other, score, articles FROM story_changes ORDER BY seq"
        )
        return [(str(k), str(a), str(b), s, int(n)) for k, a, b, s, n in rows]

    def current_story(self, story: str) -> str:
        """The story an id stands for now: itself, or where it was merged into."""
        seen = {story}
        while True:
            row = self._db.execute(
                "SELECT other FROM story_changes WHERE kind = 'merge' AND story = ? "
                "ORDER BY seq DESC LIMIT 1",
                (story,),
            ).fetchone()
            if row is None or row[0] in seen:
                return story
            story = str(row[0])
            seen.add(story)

    def put_digest(self, digest: Digest) -> None:
        self._db.execute(
            "UPDATE stories SET digest = ? WHERE id = ?",
            (json.dumps(digest_to_json(digest), ensure_ascii=False), digest.story),
        )

    def digest(self, story: str) -> Digest | None:
        row = self._db.execute("SELECT digest FROM stories WHERE id = ?", (story,)).fetchone()
        if row is None or row[0] is None:
            return None
        return digest_from_json(json.loads(row[0]))

    # --- what the digest keeps -------------------------------------------------
    def put_extract(self, extract: ArticleExtract) -> None:
        data, vectors = extract_to_row(extract)
        self._db.execute(
            "INSERT INTO article_extracts (article, content_hash, version, data, vectors) "
            "VALUES (?,?,?,?,?) ON CONFLICT (article) DO UPDATE SET "
            "content_hash = excluded.content_hash, version = excluded.version, "
            "data = excluded.data, vectors = excluded.vectors",
            (extract.article, extract.content_hash, EXTRACT_VERSION, data, vectors),
        )

    def extracts(self, article_ids: Iterable[str]) -> dict[str, ArticleExtract]:
        """The stored extracts of these articles made by this version; an
        article without one is left out."""
        found: dict[str, ArticleExtract] = {}
        wanted = list(article_ids)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._db.execute(
                "SELECT article, content_hash, data, vectors FROM article_extracts "
                f"WHERE version = ? AND article IN ({','.join('?' * len(chunk))})",
                (EXTRACT_VERSION, *chunk),
            )
            for article, chash, data, vectors in rows:
                found[str(article)] = extract_from_row(str(article), str(chash), data, vectors)
        return found

    def set_digests_stale(self, stories: Iterable[str], stale: bool = True) -> None:
        self._db.executemany(
            "UPDATE stories SET digest_stale = ? WHERE id = ?",
            [(int(stale), story) for story in stories],
        )

    def stale_digests(self) -> list[str]:
        """Stories whose digest waits for a refresh, oldest first."""
        rows = self._db.execute("SELECT id FROM stories WHERE digest_stale = 1 ORDER BY seq")
        return [str(r[0]) for r in rows]

    def put_story_actors(self, story: str, actors: Iterable[tuple[str, str]]) -> None:
        """Replace the story's ``(key, name)`` actors."""
        self._db.execute("DELETE FROM story_actors WHERE story = ?", (story,))
        self._db.executemany(
            "INSERT OR IGNORE INTO story_actors (key, story, name) VALUES (?, ?, ?)",
            [(key, story, name) for key, name in actors],
        )

    def stories_with_actor_keys(self, keys: Iterable[str]) -> set[str]:
        found: set[str] = set()
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT DISTINCT story FROM story_actors WHERE key IN ({marks})", chunk
            )
            found.update(str(r[0]) for r in rows)
        return found

    def story_ids(self) -> list[str]:
        """Story ids, the most recently active first."""
        rows = self._db.execute(
            "SELECT s.id FROM stories s ORDER BY "
            "(SELECT max(a.seq) FROM articles a WHERE a.story = s.id) DESC, s.seq DESC"
        )
        return [str(r[0]) for r in rows]

    def story_article_ids(self, story: str) -> list[str]:
        rows = self._db.execute("SELECT id FROM articles WHERE story = ? ORDER BY seq", (story,))
        return [str(r[0]) for r in rows]


def digest_to_json(digest: Digest) -> dict[str, object]:
    """The digest as stored in ``stories.digest`` (JSON); read by ``digest_from_json``."""
    return {
        "story": digest.story,
        "title": digest.title,
        "sources": list(digest.sources),
        "summary": [{"text": s.text, "articles": list(s.articles)} for s in digest.summary],
        "quotes": [
            {"speaker": q.speaker, "text": q.text, "articles": list(q.articles)}
            for q in digest.quotes
        ],
        "entities": [
            {
                "name": e.name,
                "type": e.type,
                "mentions": e.mentions,
                "variants": list(e.variants),
                "articles": list(e.articles),
            }
            for e in digest.entities
        ],
        "coverage": [{"claim": c.text, "articles": list(c.articles)} for c in digest.coverage],
        "timeline": [
            {"date": d.date, "kind": d.kind, "articles": list(d.articles)} for d in digest.timeline
        ],
        "first_seen": digest.first_seen,
        "last_seen": digest.last_seen,
        "related": [{"story": r.story, "why": r.why} for r in digest.related],
    }


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def digest_from_json(data: dict[str, Any]) -> Digest:
    """A stored digest; fields a digest written by an older version lacks are empty."""
    return Digest(
        story=str(data["story"]),
        title=str(data["title"]),
        sources=_ids(data.get("sources") or ()),
        summary=tuple(
            SummarySentence(str(s["text"]), _ids(s["articles"])) for s in data.get("summary", [])
        ),
        quotes=tuple(
            Quote(str(q["speaker"]), str(q["text"]), _ids(q["articles"]))
            for q in data.get("quotes", [])
        ),
        entities=tuple(
            Entity(
                str(e["name"]),
                e["type"],
                int(e["mentions"]),
                _ids(e["variants"]),
                _ids(e.get("articles", ())),
            )
            for e in data.get("entities", [])
        ),
        coverage=tuple(
            Claim(str(c["claim"]), _ids(c["articles"])) for c in data.get("coverage", [])
        ),
        timeline=tuple(
            DateSeen(str(d["date"]), d["kind"], _ids(d["articles"]))
            for d in data.get("timeline", [])
        ),
        first_seen=_opt(data.get("first_seen")),
        last_seen=_opt(data.get("last_seen")),
        related=tuple(Related(str(r["story"]), str(r["why"])) for r in data.get("related", [])),
    )


def _article(row: tuple[object, ...]) -> Article:
    (
        seq,
        aid,
        origin,
        chash,
        title,
        dek,
        byline,
        published,
        url,
        source,
        lang,
        body,
        removed,
        metadata,
    ) = row
    return Article(
        id=str(aid),
        origin=str(origin),
        body=str(body),
        content_hash=str(chash),
        title=_opt(title),
        dek=_opt(dek),
        byline=_opt(byline),
        published=_opt(published),
        url=_opt(url),
        source=_opt(source),
        lang=_opt(lang),
        removed=tuple(RemovedSpan(t, r) for t, r in json.loads(str(removed))),
        metadata=tuple(sorted(json.loads(str(metadata)).items())),
        seen=int(seq),  # type: ignore[call-overload]
    )


def _date_key(value: str) -> str:
    """Dates as given compare wrongly across time zones (``10:00+02:00`` is
    before ``09:00Z``): compare them in UTC when they parse, else as given."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat()


def _day(published: object, ingested: object) -> int:
    day = day_number(_opt(published)) or day_number(_opt(ingested))
    return day if day is not None else datetime.now(UTC).date().toordinal()


def _f32(vector: Vectors) -> bytes:
    return vector.astype("<f4").tobytes()


def _state(row: tuple[Any, ...]) -> StoryState:
    sid, seq, size, first, last, words = row[:6]
    lead, names, content, phrases, years, updated = row[6:]
    return StoryState(
        str(sid),
        int(seq),
        int(size),
        first,
        last,
        int(words),
        _vec(lead),
        _vec(names),
        _vec(content),
        _vec(phrases),
        _years(years),
        int(seq if updated is None else updated),
    )


def _years(blob: bytes | None) -> Vectors:
    """A story's years vector; stories stored before it existed have none yet."""
    return np.zeros(YEARS, dtype=np.float32) if blob is None else _vec(blob)


def _vec(blob: bytes) -> Vectors:
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
