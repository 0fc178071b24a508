"""Publication dates: read the forms pages write them in, give ISO 8601.

A date alone gives ``YYYY-MM-DD``; a date with a time gives
``YYYY-MM-DDTHH:MM[:SS]`` and keeps the time zone when the page gave one
(``+02:00``, ``Z``).  A date later than the crawl date (when known) is not a
publication date (a page's "updated next week" or an event date): it is
refused, as are dates before 1990.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "janvier", "januar", "enero", "gennaio"),
            ("feb", "february", "février", "fevrier", "februar", "febrero", "febbraio"),
            ("mar", "march", "mars", "märz", "marzo"),
            ("apr", "april", "avril", "abril", "aprile"),
            ("may", "mai", "mayo", "maggio"),
            ("jun", "june", "juin", "juni", "junio", "giugno"),
            ("jul", "july", "juillet", "juli", "julio", "luglio"),
            ("aug", "august", "août", "aout", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre", "settembre"),
            ("oct", "october", "octobre", "oktober", "octubre", "ottobre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "décembre", "decembre", "dezember", "diciembre", "dicembre"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO = re.compile(
    r"(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)"
    r"(?:[T ](?P<time>[0-2]\d:[0-5]\d(?::[0-5]\d)?)(?:\.\d+)?\s*(?P<tz>Z|[+-][01]\d:?[0-5]\d)?)?"
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_MDY = re.compile(
    rf"(?P<mon>{_MONTH})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)",
    re.IGNORECASE,
)
_DMY = re.compile(
    rf"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?P<mon>{_MONTH})\.?,?\s+"
    r"(?P<y>(?:19|20)\d\d)",
    re.IGNORECASE,
)
_NUMERIC = re.compile(
    r"(?<![\d/.])(?P<a>[0-3]?\d)[/.](?P<b>[0-3]?\d)[/.](?P<y>(?:19|20)\d\d)(?!\d)"
)
_URL = re.compile(r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?:/|[-_]|$)")
_URL_COMPACT = re.compile(r"[/_-](?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?:[/_-]|$)")
_TIME = re.compile(r"\b(?P<h>[0-2]?\d)[:.](?P<mi>[0-5]\d)\s*(?P<ap>[ap]\.?m\.?)?", re.IGNORECASE)
_EARLIEST = date(1990, 1, 1)


def _day(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str, crawled: date | None = None) -> str | None:
    """The first date in ``text`` in ISO 8601 (see the module docstring), or None."""
    text = text.strip()
    if not text:
        return None
    m = _ISO.search(text)
    if m:
        day = _day(int(m["y"]), int(m["m"]), int(m["d"]))
        if day and _plausible(day, crawled):
            if m["time"]:
                tz = m["tz"] or ""
                if tz and tz != "Z" and ":" not in tz:
                    tz = f"{tz[:3]}:{tz[3:]}"
                return f"{day.isoformat()}T{m['time']}{tz}"
            return day.isoformat()
    for pattern in (_MDY, _DMY):
        m = pattern.search(text)
        if m:
            day = _day(int(m["y"]), _MONTHS[m["mon"].lower().rstrip(".")], int(m["d"]))
            if day and _plausible(day, crawled):
                return day.isoformat()
    m = _NUMERIC.search(text)
    if m:
        a, b = int(m["a"]), int(m["b"])
        # Month first (US) unless the first number cannot be a month.
        day = _day(int(m["y"]), b, a) if a > 12 else _day(int(m["y"]), a, b)
        if day and _plausible(day, crawled):
            return day.isoformat()
    m = _COMPACT.search(text)
    if m:
        day = _day(int(m["y"]), int(m["m"]), int(m["d"]))
        if day and _plausible(day, crawled):
            return day.isoformat()
    return None


def url_date(url: str | None, crawled: date | None = None) -> str | None:
    """The date a URL's path carries (``/2025/09/04/``, ``-20250904-``), or None."""
    if not url:
        return None
    for pattern in (_URL, _URL_COMPACT):
        m = pattern.search(url)
        if m:
            day = _day(int(m["y"]), int(m["m"]), int(m["d"]))
            if day and _plausible(day, crawled):
                return day.isoformat()
    return None


def day_of(value: str | None) -> date | None:
    """The calendar day of an ISO date or date-time string, or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def crawl_day(value: str | None) -> date | None:
    """The day a crawl date names (any form :func:`parse_date` reads)."""
    return day_of(parse_date(value)) if value else None


def _plausible(day: date, crawled: date | None) -> bool:
    # A page's date may run a day ahead of the crawl's clock (time zones).
    latest = (crawled or date.today()) + timedelta(days=1)
    return _EARLIEST <= day <= latest
