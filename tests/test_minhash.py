"""MinHash band keys: the format the store's ``lsh_bands`` holds (a change of
format needs a new ``BAND_KEY_VERSION``)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from storyfold.represent.minhash import band_keys


def fnv_keys(values: list[int], bands: int) -> list[str]:
    """The definition, in plain integers: FNV-1a-style over each band's rows."""
    rows = len(values) // bands
    keys = []
    for band in range(bands):
        hashed = 0xCBF29CE484222325
        for value in values[band * rows : (band + 1) * rows]:
            hashed = ((hashed ^ value) * 0x100000001B3) % 2**64
        keys.append(f"{band}:{hashed:016x}")
    return keys


@given(st.lists(st.integers(0, 2**32 - 1), min_size=128, max_size=128), st.sampled_from([8, 32]))
def test_band_keys_are_fnv_of_each_band(values: list[int], bands: int) -> None:
    assert band_keys(np.array(values, dtype=np.uint32), bands) == fnv_keys(values, bands)
