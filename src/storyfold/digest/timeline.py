"""Timeline: when a story's articles were published and which dates they mention.

Publication dates are taken as given (their ISO day when they are ISO 8601).
Mentioned dates are spaCy DATE entities that name a day, month or year
("March 14, 2022", "30 March"), written as ISO where they parse, a weekday
("on Wednesday") resolved against the article's publication day when known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

_FORMATS = ("%B %d, %Y", "%d %B %Y", "%B %d %Y", "%b %d, %Y", "%d %b %Y", "%B %Y", "%Y")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b\.?|\b(?:1[89]|20)\d\d\b",
    re.IGNORECASE,
)


def day_of(published: str | None) -> date | None:
    """The day of a publication date given as ISO 8601, else None."""
    if not published:
        return None
    try:
        return datetime.fromisoformat(published.strip()[:10]).date()
    except ValueError:
        return None


def _parse(text: str) -> str | None:
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip(" .,"))
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        if fmt == "%Y":
            return f"{parsed.year:04d}"
        if fmt in ("%B %Y",):
            return f"{parsed.year:04d}-{parsed.month:02d}"
        return parsed.date().isoformat()
    return None


def mentioned(doc: Any, published: str | None) -> list[str]:
    """The dates one parsed article mentions, ISO where they can be read."""
    day = day_of(published)
    found: list[str] = []
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        text = " ".join(ent.text.split())
        words = text.lower().split()
        weekday = next((w for w in words if w in _WEEKDAYS), None)
        if weekday and day is not None and len(words) <= 2:
            back = (day.weekday() - _WEEKDAYS.index(weekday)) % 7
            found.append((day - timedelta(days=back)).isoformat())
        elif _MONTHS.search(text):
            found.append(_parse(text) or text)
    return found


def first_and_last(published: Iterable[str | None]) -> tuple[str | None, str | None]:
    days = sorted(d.isoformat() for p in published if (d := day_of(p)) is not None)
    return (days[0], days[-1]) if days else (None, None)
