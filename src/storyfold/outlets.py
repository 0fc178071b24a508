"""Outlets: who published an article, from its source field or its URL."""

from __future__ import annotations

from urllib.parse import urlsplit


def host_of(url: str | None) -> str | None:
    """The URL's host without ``www.``; None for no URL or no host."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host or None


def outlet_name(source: str | None, url: str | None) -> str | None:
    """The outlet: the input's source, else the host of its URL."""
    return source or host_of(url)
