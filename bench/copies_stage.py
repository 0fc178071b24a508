"""The copy stage alone, the way ``Engine.ingest`` runs it: clean, represent,
store, find, link; batches committed whole.  No story assignment and no
digest (every original opens its own story), so benchmarks of copies do not
pay for the spaCy digest; the links found are the same as a full ingest's,
since the copy finder reads only the stored articles.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from storyfold import Engine
from storyfold.records import Assignment, RawArticle


@dataclass
class StageTimes:
    clean: float = 0.0
    represent: float = 0.0
    copies: float = 0.0
    per_article: list[float] = field(default_factory=list)


def fold_copies(engine: Engine, raws: Iterable[RawArticle]) -> StageTimes:
    times = StageTimes()
    store, finder, size = engine.store, engine.copy_finder, engine.settings.batch_size
    items = list(raws)
    for start in range(0, len(items), size):
        t0 = time.perf_counter()
        batch = [engine.clean(raw) for raw in items[start : start + size]]
        t1 = time.perf_counter()
        reps = engine.representer.represent(batch)
        t2 = time.perf_counter()
        with store.transaction():
            finder.prepare(batch, reps, store)
            for article, rep in zip(batch, reps, strict=True):
                seq = store.put_article(article, rep, finder.band_keys(rep))
                link = finder.find(article, rep, store)
                if link is not None:
                    story = engine._link(replace(article, seen=seq), link)
                else:
                    story = f"s{seq}"
                store.set_story(Assignment(article.id, story, 1.0, link is None))
        t3 = time.perf_counter()
        times.clean += t1 - t0
        times.represent += t2 - t1
        times.copies += t3 - t2
        times.per_article.extend([(t3 - t0) / len(batch)] * len(batch))
    return times


def families(engine: Engine, ids: Sequence[str]) -> list[str]:
    """Each article's copy family: the original it is (transitively) a copy of."""
    out = []
    for article_id in ids:
        while (link := engine.store.copy_link(article_id)) is not None:
            article_id = link.original
        out.append(article_id)
    return out
