"""HTML cleaning: trafilatura finds the body and metadata; storyfold's text
cleaner then passes over the extracted text for what trafilatura keeps
(inline calls to action, cross-promotion headlines, captions)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from storyfold.clean.base import TextCleaner
from storyfold.records import Cleaned, RemovedSpan


class TrafilaturaCleaner:
    """The default HTML cleaner, built on trafilatura."""

    def __init__(self, text_cleaner: TextCleaner | None = None) -> None:
        self._text_cleaner = text_cleaner

    def clean(self, html: str, url: str | None = None) -> Cleaned:
        import trafilatura

        try:
            doc: Any = trafilatura.bare_extraction(
                html, url=url, with_metadata=True, include_comments=False, favor_recall=True
            )
        except Exception as exc:  # trafilatura raises many kinds on broken markup
            return Cleaned(body="", removed=(RemovedSpan("", f"unreadable-html: {exc}"),))
        if doc is None or not (doc.text or "").strip():
            return Cleaned(body="", removed=(RemovedSpan("", "no-article-body-found"),))
        body: str = doc.text.strip()
        cleaned = self._text_cleaner.clean(body) if self._text_cleaner else Cleaned(body=body)
        # trafilatura has already taken the headline out of the body, so what the
        # text cleaner reads as a title and standfirst is body, unless it repeats
        # the page's headline.
        restored = [
            part
            for part in (cleaned.title, cleaned.dek)
            if part and _fold(part) != _fold(doc.title or "")
        ]
        return replace(
            cleaned,
            body="\n\n".join([*restored, cleaned.body]).strip(),
            title=doc.title or None,
            dek=None,
            byline=doc.author or cleaned.byline,
            published=doc.date or cleaned.published,
        )


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())
