"""MinHash signatures (computed by rensa) and LSH band keys.

Blob layout of a stored signature: ``num_perm`` unsigned 32-bit integers,
little-endian, in permutation order (``Signature.tobytes()`` on a little-endian
machine; read back with :func:`signature_from_blob`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np
import rensa

from storyfold.represent.base import Signature


def signatures(shingle_sets: Sequence[Iterable[str]], num_perm: int, seed: int) -> list[Signature]:
    """MinHash signatures of each shingle set, in one call to rensa.

    A MinHash does not depend on the order of the tokens, so they go in as
    listed (sorting them first cost two thirds of the time)."""
    digests = rensa.RMinHash.digests_from_token_sets(
        [list(s) for s in shingle_sets], num_perm, seed
    )
    return [np.asarray(d, dtype=np.uint32) for d in digests]


def estimated_jaccard(a: Signature, b: Signature) -> float:
    """The share of equal MinHash values: an unbiased estimate of Jaccard similarity."""
    return float(np.mean(a == b))


def band_keys(signature: Signature, bands: int) -> list[str]:
    """One key per band: two signatures sharing any key are LSH candidates.

    The key prefixes the band number so that equal rows in different bands do
    not collide.
    """
    raw = signature.astype("<u4").tobytes()
    width = len(raw) // bands  # the bytes of one band's rows
    chunks = (raw[band * width : (band + 1) * width] for band in range(bands))
    return [
        f"{band}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}"
        for band, chunk in enumerate(chunks)
    ]


def signature_to_blob(signature: Signature) -> bytes:
    return signature.astype("<u4").tobytes()


def signature_from_blob(blob: bytes) -> Signature:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)
