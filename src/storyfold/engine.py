"""The engine: wires the stages and runs articles through them into the store.

readers -> clean -> represent -> copies -> stories -> digest, all persisted.
Each stage comes in through the constructor; ``Engine.open`` wires defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from storyfold.clean.base import HtmlCleaner, TextCleaner
from storyfold.clean.html import TrafilaturaCleaner
from storyfold.clean.lang import LanguageDetector
from storyfold.clean.learned import LearnedTextCleaner
from storyfold.config import Settings
from storyfold.copies import CopyFinder, LayeredCopyFinder
from storyfold.copies.families import original_key, reroot
from storyfold.digest import CentralSentences, Digester, ExtractingDigester, StoryDigester
from storyfold.digest.extract import ArticleExtract, missing
from storyfold.digest.related import actor_key, actors, relate
from storyfold.errors import StoreError, StoryfoldError
from storyfold.readers import Fetcher, Notice, ReadItem, Skipped, read_inputs
from storyfold.records import Article, Assignment, CopyLink, Digest, RawArticle
from storyfold.represent import Representer
from storyfold.represent.base import Embedder, Representation
from storyfold.represent.dates import article_day
from storyfold.represent.embedders import HashingEmbedder, UseEmbedder
from storyfold.represent.minhash import BAND_KEY_VERSION
from storyfold.represent.text import content_hash, stable_id
from storyfold.store import Store, StoryState
from storyfold.stories import CentroidAssigner, StoryAssigner
from storyfold.stories.consolidate import Consolidator, due_for_split, merged
from storyfold.stories.online import LeadTable
from storyfold.stories.regroup import Regrouper, plan

Progress = Callable[[int], None]


@dataclass(slots=True)
class IngestReport:
    """What one ingest did: counts, and every input it could not take, with why."""

    ingested: int = 0
    unchanged: int = 0
    copies: int = 0
    stories_opened: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DeleteReport:
    """What a delete or expire did: the articles deleted, the ids asked for
    that were not stored, the copies given a new original, and the stories
    that changed or, left empty, were deleted."""

    deleted: tuple[str, ...]
    missing: tuple[str, ...]
    new_originals: tuple[str, ...]
    stories_updated: tuple[str, ...]
    stories_deleted: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RegroupReport:
    """What a regroup did: the articles grouped (copies follow their
    originals), the stories before and after, the articles that changed
    story (copies included), and the merges and splits it recorded."""

    articles: int
    stories_before: int
    stories_after: int
    moved: int
    merges: tuple[tuple[str, str, int], ...]
    splits: tuple[tuple[str, str, int], ...]


def make_embedder(name: str) -> Embedder:
    if name == "use":
        return UseEmbedder()
    if name == "hashing":
        return HashingEmbedder()
    raise StoreError(f"unknown embedder {name!r}: choose 'use' or 'hashing'")


class Engine:
    """Folds articles into stories in one store."""

    def __init__(
        self,
        store: Store,
        *,
        settings: Settings | None = None,
        text_cleaner: TextCleaner | None = None,
        html_cleaner: HtmlCleaner | None = None,
        representer: Representer | None = None,
        copy_finder: CopyFinder | None = None,
        assigner: StoryAssigner | None = None,
        consolidator: Consolidator | None = None,
        digester: Digester | None = None,
    ) -> None:
        self.settings = settings or Settings()
        s = self.settings
        self.store = store
        self.text_cleaner = text_cleaner or LearnedTextCleaner(settings=self.settings)
        self.html_cleaner = html_cleaner or TrafilaturaCleaner(self.text_cleaner, self.settings)
        self.representer = representer or Representer(
            make_embedder(s.embedder),
            shingle_size=s.shingle_size,
            num_perm=s.num_perm,
            seed=s.minhash_seed,
        )
        self.copy_finder = copy_finder or LayeredCopyFinder(
            s,
            self.representer.embed_sentences,
            languages=getattr(self.representer.embedder, "languages", None),
        )
        self.assigner = assigner or CentroidAssigner(s, self.representer.terms.dim)
        self.consolidator = consolidator or Consolidator(
            s, self.assigner, self.representer.terms.dim
        )
        if digester is None:
            summary = CentralSentences(self.representer.terms, s.summary_sentences)
            digester = StoryDigester(summary, summary.vector)
        self.digester = digester
        self.language = LanguageDetector()
        self._check_embedder()
        self._check_band_keys()

    @classmethod
    def open(cls, path: str | Path, **stages: Any) -> Engine:
        return cls(Store.open(path), **stages)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_embedder(self) -> None:
        """A store's vectors are only comparable with vectors of the same model."""
        name = self.representer.embedder.name
        stored = self.store.meta("embedder")
        if stored is None:
            with self.store.transaction():
                self.store.set_meta("embedder", name)
        elif stored != name:
            raise StoreError(
                f"{self.store.path} holds vectors of the embedder {stored!r}, not {name!r}; "
                f"use the same embedder or a new store"
            )

    def _check_band_keys(self) -> None:
        """LSH keys made another way (an older key format, other bands) never
        match new ones: rebuild them from the stored signatures."""
        s = self.settings
        scheme = f"{BAND_KEY_VERSION}:{s.lsh_bands}x{s.num_perm}"
        if self.store.meta("band_keys") != scheme:
            with self.store.transaction():
                self.store.rebuild_band_keys(self.copy_finder.band_keys)
                self.store.set_meta("band_keys", scheme)

    # --- ingest --------------------------------------------------------------
    def ingest_paths(
        self, paths: Iterable[str | Path], progress: Progress | None = None
    ) -> IngestReport:
        """Ingest files, folders and feed URLs (see :func:`storyfold.readers.read_inputs`)."""
        fetcher = Fetcher(self.settings)
        items = read_inputs(paths, self.settings.max_input_bytes, fetcher=fetcher)
        return self.ingest(items, progress)

    def ingest(
        self, items: Iterable[ReadItem | RawArticle], progress: Progress | None = None
    ) -> IngestReport:
        """Clean, represent, link and assign every article; commit in batches.

        Re-ingesting an article already stored with the same content changes
        nothing; one stored with other content under the same id is skipped
        with a message.
        """
        report = IngestReport()
        since = self.store.max_seq() + 1  # the first seq this call stores
        called: set[str] = set()  # the stories this call touched
        waiting = 0  # batches whose stories' digests are not written yet
        for batch in _batches(self._cleaned(items, report), self.settings.batch_size):
            reps = self.representer.represent(batch)
            extracts = self._extract(batch, reps)
            with self.store.transaction():
                self.copy_finder.prepare(batch, reps, self.store)
                touched, copies, opened = self.fold(
                    batch,
                    reps,
                    lambda article, rep: self.copy_finder.find(article, rep, self.store),
                    lambda article, rep: self.copy_finder.band_keys(rep),
                )
                report.copies += copies
                report.stories_opened += opened
                for extract in extracts:
                    self.store.put_extract(extract)
                self.store.set_digests_stale(touched)
            called |= touched
            waiting += 1
            if waiting >= self.settings.digest_every_batches:
                self.refresh_digests()
                waiting = 0
            report.ingested += len(batch)
            if progress:
                progress(len(batch))
        if called:
            with self.store.transaction():
                self.store.set_digests_stale(self.settle(called, since))
        self.refresh_digests()
        return report

    def settle(self, stories: Iterable[str], since: int) -> set[str]:
        """The second look: once a run's stories have formed, each article it
        stored (seq ``since`` on) is weighed again against its story without
        it and the nearest other active stories, and moves where the assigner
        places it (``Consolidator.reassign``), up to ``story_settle_rounds``
        rounds or until nothing moves.  An article decided when its event's
        first reports had not yet arrived is put right here, whatever the
        arrival order.  Returns the stories that changed (their digests are
        stale).  Runs inside the caller's transaction."""
        changed: set[str] = set()
        for _ in range(self.settings.story_settle_rounds):
            # ``_reassign`` weighs only the active stories: a long run's older
            # stories are not read at all.
            moved = self._reassign(sorted(stories), since)
            if not moved:
                break
            changed |= moved
            stories = set(stories) | moved
        return {s for s in changed if self.store.story_state(s) is not None}

    def fold(
        self,
        batch: Sequence[Article],
        reps: Sequence[Representation],
        find: Callable[[Article, Representation], CopyLink | None],
        keys: Callable[[Article, Representation], list[str]],
        decided: Mapping[str, Assignment] | None = None,
    ) -> tuple[set[str], int, int]:
        """Store one batch of articles and fold them in: copy links (``find``),
        story assignment, then the batch's splits and merges.  Runs inside the
        caller's transaction; returns the touched stories, the number of copies
        and of stories opened.  The one story path of both ``ingest`` and
        ``storyfold batch`` (which passes copy links it found on workers).

        ``decided``: the story of every article that is not a copy, decided
        elsewhere (the batch's per-window story stage, which ran this fold with
        its splits and merges on a worker); the states are folded as usual and
        no consolidation runs here."""
        touched: set[str] = set()
        sizes: dict[str, int] = {}  # touched stories' sizes before the batch
        copies = opened = 0
        for article, rep in zip(batch, reps, strict=True):
            # Stored first, so that what the copy check computes for the new
            # article (its sentence embeddings) is kept with it.
            seq = self.store.put_article(article, rep, keys(article, rep))
            link = find(article, rep)
            article = replace(article, seen=seq)
            if link is not None:
                assignment = self._follow(article, link)
                copies += 1
            else:
                if decided is not None:
                    state = self.store.story_state(decided[article.id].story)
                    assignment = replace(decided[article.id], opened=state is None)
                else:
                    active = self.store.active_story_states(
                        article_day(article.published, article.url),
                        seq - self.settings.story_active_articles,
                        self.settings.story_active_days,
                    )
                    assignment = self.assigner.predict_one(article, rep, active)
                    state = active.get(assignment.story)
                if assignment.story not in sizes:
                    sizes[assignment.story] = state.size if state else 0
                self.store.put_story_state(
                    self.assigner.learn_one(article, rep, assignment.story, state, seq)
                )
                opened += assignment.opened
            if assignment.story not in sizes:
                before = self.store.story_state(assignment.story)
                sizes[assignment.story] = before.size if before else 0
            self.store.set_story(assignment)
            touched.add(assignment.story)
        if decided is not None:
            return touched, copies, opened
        return self._consolidate(touched, sizes), copies, opened

    def _cleaned(
        self,
        items: Iterable[ReadItem | RawArticle],
        report: IngestReport,
        clean: Callable[[RawArticle], Article] | None = None,
    ) -> Iterator[Article]:
        """The articles to store, in order; ``clean`` (else :meth:`clean`) makes
        each (the batch pipeline passes the ones its workers cleaned)."""
        clean = clean or self.clean
        seen_in_run: dict[str, str] = {}
        for item in items:
            if isinstance(item, Skipped):
                report.skipped.append(item)
                continue
            if isinstance(item, Notice):
                report.notices.append(item)
                continue
            article = clean(item)
            if not article.body.strip():
                reasons = "; ".join(s.reason for s in article.removed) or "nothing left"
                report.skipped.append(Skipped(item.origin, f"no article body found ({reasons})"))
                continue
            stored = seen_in_run.get(article.id) or self.store.content_hash(article.id)
            if stored == article.content_hash:
                report.unchanged += 1
                continue
            if stored is not None:
                report.skipped.append(
                    Skipped(item.origin, f"id {article.id!r} is already stored with other content")
                )
                continue
            seen_in_run[article.id] = article.content_hash
            yield article

    def clean(self, raw: RawArticle) -> Article:
        """One raw article cleaned: body, metadata, language and removed spans."""
        if raw.html is not None:
            cleaned = self.html_cleaner.clean(raw.html, raw.url)
        else:
            cleaned = self.text_cleaner.clean(raw.text or "")
        body = cleaned.body
        return Article(
            id=raw.id,
            origin=raw.origin,
            body=body,
            content_hash=content_hash(body),
            title=raw.title or cleaned.title,
            dek=cleaned.dek,
            byline=cleaned.byline,
            published=raw.published or cleaned.published,
            url=raw.url,
            source=raw.source,
            lang=raw.lang or self.language.detect(body),
            removed=cleaned.removed,
            metadata=raw.metadata,
        )

    def _follow(self, article: Article, link: CopyLink) -> Assignment:
        """Record a copy link; the copy joins its family's story."""
        story = self._link(article, link)
        return Assignment(article.id, story, link.score, False, (("copy_of", link.score),))

    def _link(self, article: Article, link: CopyLink) -> str:
        """Record a copy link; returns the story the copy family lives in.

        The original of a family is its earliest published article, else the
        first seen.  When the new article is earlier than the family's original,
        it becomes the original and the family's links point to it.
        """
        root_id = link.original
        while (up := self.store.copy_link(root_id)) is not None:
            root_id = up.original
        root = self.store.article(root_id)
        story = self.store.story_of(root_id)
        assert root is not None and story is not None, "a linked article is always stored"
        if original_key(article) < original_key(root):
            for member in self.store.copies_of(root_id):
                held = self.store.copy_link(member)
                assert held is not None
                self.store.set_copy(
                    CopyLink(
                        member,
                        article.id,
                        held.kind,  # type: ignore[arg-type]
                        held.score,
                        tuple(held.evidence.items()),
                    )
                )
            self.store.set_copy(replace(link, copy=root_id, original=article.id))
        else:
            self.store.set_copy(replace(link, original=root_id))
        return story

    def _consolidate(self, touched: set[str], sizes: dict[str, int]) -> set[str]:
        """Split touched stories that doubled in size and drifted, then merge
        touched stories into active ones that are the same event; returns the
        stories whose digests need writing."""
        out = set(touched)
        due: list[str] = []
        for story in sorted(touched):
            state = self.store.story_state(story)
            if state is None or not due_for_split(
                sizes.get(story, 0), state.size, self.settings.story_split_min
            ):
                continue
            due.append(story)
            cut = self.consolidator.split(story, self._originals(story))
            if cut is None:
                continue
            moved, score = cut
            new = f"s{stable_id(moved[0] + ':split')[:12]}"
            moved += self._copies(moved)
            self.store.move_articles(moved, new)
            self._refold(story)
            self._refold(new)
            self.store.record_story_change("split", new, story, score, len(moved))
            out.add(new)
            due.append(new)
        if self.settings.story_reassign:
            out |= self._reassign(due)
        active = self._active()
        for merge in self.consolidator.merges(sorted(out), active):
            gone, into = self.store.story_state(merge.story), self.store.story_state(merge.into)
            assert gone is not None and into is not None, "merges are between stored stories"
            moved = self.store.story_article_ids(merge.story)
            self.store.move_articles(moved, merge.into)
            self.store.delete_story(merge.story)
            # The sums add up: no need to read every member of a long story again.
            self.store.put_story_state(merged(into, gone))
            self.store.record_story_change(
                "merge", merge.story, merge.into, merge.score, len(moved)
            )
            out.discard(merge.story)
            out.add(merge.into)
        return out

    def _originals(self, story: str | None, since: int = 0) -> list[tuple[Article, Representation]]:
        """A story's members (every stored article's, for None) that are not
        copies, with their vectors, in arrival order; only those stored from
        seq ``since`` on, when given."""
        return [
            (a, rep)
            for a in self.store.articles(story=story, since=since)
            if self.store.copy_link(a.id) is None
            and (rep := self.store.representation(a.id)) is not None
        ]

    def _active(self) -> dict[str, StoryState]:
        """The stories joined by one of the last ``story_active_articles``."""
        return self.store.active_story_states(
            None, self.store.max_seq() - self.settings.story_active_articles, 0
        )

    def _reassign(self, stories: Sequence[str], since: int = 0) -> set[str]:
        """Weigh each member of ``stories`` (those stored from seq ``since`` on)
        again and move those the assigner places elsewhere, with their copies
        (``Consolidator.reassign``, among the active stories; an inactive
        story's members stay); returns the stories that lost or gained
        articles.  A moved article's assignment says so (``reassigned`` among
        its parts)."""
        changed: set[str] = set()
        active = self._active()
        stories = [s for s in stories if s in active]
        if not stories:
            return changed
        # One table of the active stories' leads for all of them (kept in step
        # with ``active`` below), not one per story.
        table = LeadTable(active)
        for story in stories:
            # Read from the store only the members the caller asks about: a
            # long story's older members are not loaded for every settle.
            members = self._originals(story, since)
            moves = self.consolidator.reassign(story, members, active, table)
            for move in moves:
                self.store.move_articles(self._copies([move.article]), move.into)
                parts = (*move.assignment.parts, ("reassigned", 1.0))
                self.store.set_story(replace(move.assignment, parts=parts))
                changed |= {move.into, story}
            for sid in sorted({story, *(m.into for m in moves)} if moves else ()):
                self._refold(sid)
                if (state := self.store.story_state(sid)) is not None:
                    active[sid] = state
                    table.update(state)
        return changed  # a story that lost members keeps at least one

    def _copies(self, originals: Iterable[str]) -> list[str]:
        """The copies of ``originals`` (a family's links all point at its
        original, and copies live in their original's story)."""
        return [c for o in originals for c in self.store.copies_of(o)]

    def _root(self, article_id: str) -> str:
        """The original at the root of an article's copy family (itself if none)."""
        while (up := self.store.copy_link(article_id)) is not None:
            article_id = up.original
        return article_id

    # --- regrouping -----------------------------------------------------------
    def regroup(self, regrouper: Regrouper | None = None) -> RegroupReport:
        """Group every stored article again, all pairs weighed at once
        (``storyfold.stories.regroup``): for a closed set, after ingesting it.
        Story ids stay where the groups keep most of a story's articles; a
        story whose articles all went elsewhere is recorded as merged (its id
        keeps answering), a group that needed a new id as split.  Moved
        articles' assignments say so (``regrouped`` among their parts).

        Raises ``StoryfoldError`` above ``regroup_max_articles`` originals:
        every pair is held in memory."""
        limit = self.settings.regroup_max_articles
        items = self._originals(None)
        if len(items) > limit:
            raise StoryfoldError(
                f"the store holds {len(items)} articles (copies aside); regroup weighs "
                f"every pair in memory and takes at most {limit} (Settings.regroup_max_articles: "
                "5,000 take about 2.3 GB, growing with the square); raise it on a larger machine"
            )
        ids = [a.id for a, _ in items]
        before = [self.store.story_of(i) or "" for i in ids]
        states = self.store.story_states()
        groups = (regrouper or Regrouper(self.settings)).groups(items)
        done = plan(ids, groups, before, {sid: st.seq for sid, st in states.items()})
        moved = 0
        with self.store.transaction():
            touched: set[str] = set()
            for member, old, new in zip(ids, before, done.stories, strict=True):
                if old == new:
                    continue
                held = self.store.assignment(member)
                score, parts = held if held else (0.0, {})
                parts = {**parts, "regrouped": 1.0}
                self.store.set_story(Assignment(member, new, score, False, tuple(parts.items())))
                copies = self._copies([member])
                self.store.move_articles(copies, new)
                moved += 1 + len(copies)
                touched |= {old, new}
            for story in sorted(touched):
                self._refold(story)
            for story, into, count in done.merges:
                self.store.record_story_change("merge", story, into, None, count)
            for story, source, count in done.splits:
                self.store.record_story_change("split", story, source, None, count)
            self.store.set_digests_stale(s for s in touched if self.store.story_state(s))
        self.refresh_digests()
        return RegroupReport(
            len(items), len(set(before)), len(set(done.stories)), moved, done.merges, done.splits
        )

    # --- deleting ------------------------------------------------------------
    def delete(self, ids: Iterable[str]) -> DeleteReport:
        """Delete articles and everything derived from them, in one transaction.

        Representations, sentence embeddings and LSH keys go with each article;
        the copies of a deleted original get the family's next original
        (earliest published, else first seen); each story that lost an article
        has its sums refolded from its remaining originals and its digest
        rewritten, or is deleted when empty.
        """
        wanted = list(dict.fromkeys(ids))
        stored = [i for i in wanted if self.store.content_hash(i) is not None]
        stories: set[str] = set()
        new_originals: list[str] = []
        with self.store.transaction():
            for article_id in stored:
                if story := self.store.story_of(article_id):
                    stories.add(story)
                if (root := reroot(self.store, article_id)) is not None:
                    new_originals.append(root)
                self.store.delete_article(article_id)
            kept = [s for s in sorted(stories) if self._refold(s)]
            for story in kept:
                self._write_digest(story)
            gone = set(stories) - set(kept)
            for story in self.store.story_ids():
                digest = self.store.digest(story)
                if digest and any(r.story in gone for r in digest.related):
                    related = tuple(r for r in digest.related if r.story not in gone)
                    self.store.put_digest(replace(digest, related=related))
            self._write_related(kept)
        return DeleteReport(
            tuple(stored),
            tuple(i for i in wanted if i not in set(stored)),
            tuple(new_originals),
            tuple(kept),
            tuple(sorted(gone)),
        )

    def expire(self, before: str) -> DeleteReport:
        """Delete the articles published before ``before`` (ISO date or
        date-time, UTC unless it names a zone), and the undated ones ingested
        before it; see :meth:`delete`."""
        try:
            datetime.fromisoformat(before.replace("Z", "+00:00"))
        except ValueError as exc:
            raise StoryfoldError(
                f"{before!r} is not a date: give an ISO date such as 2024-05-01 "
                "or a date-time such as 2024-05-01T12:00:00Z"
            ) from exc
        return self.delete(self.store.ids_dated_before(before))

    def _refold(self, story: str) -> bool:
        """Rebuild a story's sums from its originals (copies never add to them),
        in arrival order; delete it when no article is left.  True if kept."""
        members = list(self.store.articles(story=story))
        if not members:
            self.store.delete_story(story)
            return False
        originals = [a for a in members if self.store.copy_link(a.id) is None] or members
        held = self.store.story_state(story)
        state = None
        for article in originals:
            rep = self.store.representation(article.id)
            assert rep is not None, "a stored article has a representation"
            state = self.assigner.learn_one(article, rep, story, state, article.seen)
        assert state is not None
        # The story keeps its place in the order of stories (its first seq).
        self.store.put_story_state(replace(state, seq=held.seq) if held else state)
        return True

    # --- digests -------------------------------------------------------------
    def _extract(self, batch: list[Article], reps: list[Representation]) -> list[ArticleExtract]:
        """What the digest reads of each article, read once (one spaCy run a batch)."""
        if not isinstance(self.digester, ExtractingDigester):
            return []
        return self.digester.extract(list(zip(batch, reps, strict=True)))

    def refresh_digests(self) -> None:
        """Write the digest of every story marked stale (by the batches of an
        ingest, or of one a crash interrupted), then their related stories;
        committed a batch of stories at a time."""
        stale = self.store.stale_digests()
        size = self.settings.batch_size
        for start in range(0, len(stale), size):
            chunk = stale[start : start + size]
            with self.store.transaction():
                for story in chunk:
                    self._write_digest(story)
                self._write_related(chunk)

    def _write_digest(self, story: str) -> None:
        members = []
        for article in self.store.articles(story=story):
            rep = self.store.representation(article.id)
            assert rep is not None
            link = self.store.copy_link(article.id)
            members.append((article, rep, link.original if link else None))
        if members:
            if isinstance(self.digester, ExtractingDigester):
                digest = self.digester.digest(story, members, self._extracts_of(members))
            else:
                digest = self.digester.digest(story, members)
            old = self.store.digest(story)
            # related stories are kept until _write_related compares again
            self.store.put_digest(replace(digest, related=old.related if old else ()))
            self.store.put_story_actors(story, [(actor_key(n), n) for n in actors(digest)])
        self.store.set_digests_stale([story], stale=False)

    def _extracts_of(
        self, members: list[tuple[Article, Representation, str | None]]
    ) -> dict[str, ArticleExtract]:
        """The members' stored extracts; those missing (a store from before
        extracts, an extract of an older version) are made and stored now."""
        assert isinstance(self.digester, ExtractingDigester)
        stored = self.store.extracts(a.id for a, _, _ in members)
        for extract in self.digester.extract(missing(members, stored)):
            self.store.put_extract(extract)
            stored[extract.article] = extract
        return stored

    def _write_related(self, touched: list[str]) -> None:
        """Stories sharing actors list each other; needs the digests just written.

        Only the stories sharing an actor key with a touched story, and those
        a touched story lists already, are read (not every digest)."""
        if self.store.meta("story_actors") is None:  # a store from before the index
            for story in self.store.story_ids():
                if (digest := self.store.digest(story)) is not None:
                    self.store.put_story_actors(story, [(actor_key(n), n) for n in actors(digest)])
            self.store.set_meta("story_actors", "indexed")
        digests = {s: d for s in touched if (d := self.store.digest(s)) is not None}
        keys = {actor_key(n) for d in digests.values() for n in actors(d)}
        listed = {r.story for d in digests.values() for r in d.related}
        for story in sorted((self.store.stories_with_actor_keys(keys) | listed) - set(digests)):
            if (digest := self.store.digest(story)) is not None:
                digests[story] = digest
        changed: dict[str, Digest] = {}
        for story in touched:  # a listed story that no longer has a digest is dropped
            if story in digests:
                kept = tuple(r for r in digests[story].related if r.story in digests)
                if kept != digests[story].related:
                    digests[story] = changed[story] = replace(digests[story], related=kept)
        changed |= relate(touched, digests)
        for digest in changed.values():
            self.store.put_digest(digest)


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
