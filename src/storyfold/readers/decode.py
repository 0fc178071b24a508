"""Turning bytes into text without losing the file."""

from __future__ import annotations

import re

# A file is treated as binary when it holds NUL bytes or when more than this
# share of its first 8 KiB are control characters other than tab and newlines:
# text in any encoding has almost none.
_BINARY_CONTROL_SHARE = 0.10
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = sum(1 for b in head if b in _CONTROL)
    return controls / len(head) > _BINARY_CONTROL_SHARE


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; returns the text and the encoding used.

    UTF-8 (with or without a BOM) first, then the declared charset, then
    Windows-1252, which maps every byte and is what most non-UTF-8 Western
    news text is in.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(declared), declared.lower()
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("cp1252", errors="replace"), "cp1252"


def declared_html_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", errors="ignore") if match else None
