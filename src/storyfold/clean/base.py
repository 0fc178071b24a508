"""The cleaning stage's contract."""

from __future__ import annotations

from typing import Protocol

from storyfold.records import Cleaned


class TextCleaner(Protocol):
    """Turns the plain text of one page into body, metadata and removed spans."""

    def clean(self, text: str) -> Cleaned: ...


class HtmlCleaner(Protocol):
    """Turns one HTML page into body, metadata and removed spans."""

    def clean(self, html: str, url: str | None = None) -> Cleaned: ...


class KeepText:
    """The do-nothing text cleaner: the whole text is the body."""

    def clean(self, text: str) -> Cleaned:
        return Cleaned(body=text.strip())
