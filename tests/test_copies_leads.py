"""The lead index: a search prepared for a batch answers exactly as an
unprepared one, also when the batch's own articles change the blocks."""

from __future__ import annotations

import numpy as np

from storyfold.copies.leads import LeadIndex


def _unit(rng: np.random.Generator, dim: int) -> np.ndarray:
    v = rng.standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def test_prepared_search_equals_a_fresh_one() -> None:
    rng = np.random.default_rng(7)
    dim, window = 64, 2
    prepared, fresh = LeadIndex(dim), LeadIndex(dim)
    for n in range(300):  # 30 days of stored leads, then batches like an ingest's
        vector, day = _unit(rng, dim), 700_000 + n // 10
        prepared.add(f"a{n}", vector, day)
        fresh.add(f"a{n}", vector, day)
    for batch in range(5):
        day = 700_030 + batch
        leads = [_unit(rng, dim) for _ in range(13)]
        prepared.prepare(leads, [day] * len(leads), window)
        for n, lead in enumerate(leads):
            for index in (prepared, fresh):
                index.add(f"b{batch}-{n}", lead, day)  # a block the batch prepared changes
                if n == 5:
                    index.remove(f"a{290 + batch}")  # and so does a deletion
            assert prepared.nearest(lead, 11, 0.1, day, window) == fresh.nearest(
                lead, 11, 0.1, day, window
            )
