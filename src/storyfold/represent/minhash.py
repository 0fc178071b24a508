"""MinHash signatures (computed by rensa) and LSH band keys.

Blob layout of a stored signature: ``num_perm`` unsigned 32-bit integers,
little-endian, in permutation order (``Signature.tobytes()`` on a little-endian
machine; read back with :func:`signature_from_blob`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import rensa

from storyfold.represent.base import Signature


def signatures(shingle_sets: Sequence[Iterable[str]], num_perm: int, seed: int) -> list[Signature]:
    """MinHash signatures of each shingle set, in one call to rensa.

    A MinHash does not depend on the order of the tokens, so sets go in as
    they are (sorting them first cost two thirds of the time)."""
    digests = rensa.RMinHash.digests_from_token_sets(
        [s if isinstance(s, set | frozenset | list) else list(s) for s in shingle_sets],
        num_perm,
        seed,
    )
    return [np.asarray(d, dtype=np.uint32) for d in digests]


def estimated_jaccard(a: Signature, b: Signature) -> float:
    """The share of equal MinHash values: an unbiased estimate of Jaccard similarity."""
    return float(np.mean(a == b))


BAND_KEY_VERSION = 2
"""Version of :func:`band_keys`' format; a store keeps it in ``meta`` and
rebuilds its ``lsh_bands`` from the stored signatures when it differs."""

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def band_keys(signature: Signature, bands: int) -> list[str]:
    """One key per band: two signatures sharing any key are LSH candidates.

    A band's key is its number and a 64-bit FNV-1a-style hash of its rows,
    computed for all bands at once (32 blake2b calls per article cost more
    than the signature itself); the number keeps equal rows in different
    bands apart.  The hashes are written out as hex in one call and cut into
    keys: formatting 32 integers one by one took as long as hashing them.
    """
    rows = signature.astype(np.uint64).reshape(bands, -1)
    hashed = np.full(bands, _FNV_OFFSET, dtype=np.uint64)
    for column in rows.T:
        hashed = (hashed ^ column) * _FNV_PRIME
    digits = hashed.astype(">u8").tobytes().hex()
    return [f"{band}:{digits[16 * band : 16 * band + 16]}" for band in range(bands)]


def signature_to_blob(signature: Signature) -> bytes:
    return signature.astype("<u4").tobytes()


def signature_from_blob(blob: bytes) -> Signature:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)
