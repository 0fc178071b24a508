"""The store's schema, as an ordered list of migrations.

Migration N brings a store from ``PRAGMA user_version`` N-1 to N.  Never edit a
migration that has shipped: append a new one.

Binary columns:
- ``representations.signature``: MinHash values, ``num_perm`` little-endian u32.
- ``representations.vectors``: sentence embeddings, float32 little-endian,
  row-major, ``len(sentences)`` rows of ``dim`` columns; NULL until a copy
  check first needs them.
- ``representations.lead``: one float32 LE row of the embedder's ``dim``.
- ``representations.names`` / ``content`` / ``phrases``: sparse TF-IDF, k LE
  u32 bucket indices then k LE float32 weights (``storyfold.represent.terms``).
- ``stories.lead`` / ``names`` / ``content`` / ``phrases``: the sums of the
  members' vectors, dense float32 LE rows (embedding ``dim`` or term ``dim``).
- ``stories.years``: the sum of the members' year counts, 200 float32 LE (one
  per year 1900-2099, ``storyfold.represent.dates``); NULL for stories written
  before schema 5 (read as zeros).
- ``article_extracts.vectors``: each sentence's sparse TF-IDF vectors for the
  digest; layout in ``storyfold.digest.extract``.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        origin TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT, dek TEXT, byline TEXT, published TEXT, url TEXT, source TEXT, lang TEXT,
        body TEXT NOT NULL,
        removed TEXT NOT NULL DEFAULT '[]',
        metadata TEXT NOT NULL DEFAULT '{}',
        story TEXT,
        copy_of TEXT, copy_kind TEXT, copy_score REAL, copy_evidence TEXT,
        assign_score REAL, assign_parts TEXT
    );
    CREATE INDEX articles_hash ON articles (content_hash);
    CREATE INDEX articles_story ON articles (story);
    CREATE INDEX articles_copy_of ON articles (copy_of);
    CREATE TABLE representations (
        article TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        signature BLOB NOT NULL,
        sentences TEXT NOT NULL,
        vectors BLOB,
        lead BLOB NOT NULL,
        names BLOB NOT NULL,
        content BLOB NOT NULL,
        phrases BLOB NOT NULL,
        words INTEGER NOT NULL
    );
    CREATE TABLE lsh_bands (
        key TEXT NOT NULL,
        article TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        PRIMARY KEY (key, article)
    ) WITHOUT ROWID;
    CREATE INDEX lsh_bands_article ON lsh_bands (article);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        lead BLOB NOT NULL,
        names BLOB NOT NULL,
        content BLOB NOT NULL,
        phrases BLOB NOT NULL,
        words INTEGER NOT NULL,
        size INTEGER NOT NULL,
        first_seen TEXT,
        last_seen TEXT,
        digest TEXT
    );
    """,
    # 2: what a watcher remembers per feed, so a restart neither refetches an
    # unchanged feed nor re-reads (and re-fetches the pages of) items it has seen.
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        checked TEXT
    );
    CREATE TABLE seen_items (
        feed TEXT NOT NULL,
        item TEXT NOT NULL,
        PRIMARY KEY (feed, item)
    ) WITHOUT ROWID;
    """,
    # 3: full-text search over article titles and bodies (the web UI and API
    # search), an FTS5 index kept in step with ``articles`` by triggers; a store
    # migrated to it has its existing articles indexed here.
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body, content='articles', content_rowid='seq',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, body) VALUES (new.seq, new.title, new.body);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', old.seq, old.title, old.body);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', old.seq, old.title, old.body);
        INSERT INTO articles_fts (rowid, title, body) VALUES (new.seq, new.title, new.body);
    END;
    INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
    """,
    # 4: what the digest reads of each article, kept so that a story's digest
    # aggregates its articles' extracts instead of parsing them all again
    # (columns documented in storyfold.digest.extract); the people each story
    # is about, keyed for a fuzzy match (storyfold.digest.related.actor_key), so
    # that related stories are found without reading every digest; and which
    # digests wait for a refresh (set in the batch that touches a story, cleared
    # when its digest is written: a crash in between leaves the flag, and the
    # next ingest writes the digest).
    """
    CREATE TABLE article_extracts (
        article TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        content_hash TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        vectors BLOB NOT NULL
    );
    CREATE TABLE story_actors (
        key TEXT NOT NULL,
        story TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        PRIMARY KEY (key, story, name)
    ) WITHOUT ROWID;
    CREATE INDEX story_actors_story ON story_actors (story);
    ALTER TABLE stories ADD COLUMN digest_stale INTEGER NOT NULL DEFAULT 0;
    """,
    # 5: time-aware stories.  ``years`` counts the years the members mention
    # (float32 LE, one per year 1900-2099); ``updated`` is the seq of the last
    # article that joined, so only recently active stories are searched.  Each
    # merge and split of stories is recorded in ``story_changes``; a merged
    # story's id keeps answering through it.
    """
    ALTER TABLE stories ADD COLUMN years BLOB;
    ALTER TABLE stories ADD COLUMN updated INTEGER;
    UPDATE stories SET updated = (SELECT max(a.seq) FROM articles a WHERE a.story = stories.id);
    CREATE INDEX stories_updated ON stories (updated);
    CREATE INDEX stories_last_seen ON stories (last_seen);
    CREATE TABLE story_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('merge', 'split')),
        story TEXT NOT NULL,
        other TEXT NOT NULL,
        score REAL,
        articles INTEGER NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX story_changes_story ON story_changes (story);
    """,
    # 6: when each article was ingested (ISO UTC), so that articles without a
    # publication date can be dated for copy candidates and expired.  Rows stored
    # before this migration get the time of the migration: they were ingested no
    # later than that.
    """
    ALTER TABLE articles ADD COLUMN ingested TEXT;
    UPDATE articles SET ingested = strftime('%Y-%m-%dT%H:%M:%SZ', 'now');
    """,
    # 7: the active-story query (every original an ingest folds asks it) reads
    # only ids: indexes that hold the id answer it without touching the story
    # rows, each ~50 KB of vector sums.  On 1,287 stories of a synthetic stream
    # the query went from 20 ms to 1.4 ms.  They replace the two indexes of
    # migration 5, which they cover.
    """
    CREATE INDEX stories_updated_id ON stories (updated, id);
    CREATE INDEX stories_seen_id ON stories (last_seen, first_seen, id);
    DROP INDEX stories_updated;
    DROP INDEX stories_last_seen;
    """,
)
