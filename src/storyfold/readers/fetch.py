"""A small, polite HTTP client for feeds and the pages they link to.

Polite means: one request at a time per host with a pause between them, a
User-Agent naming storyfold and its version, robots.txt obeyed, timeouts,
retries with exponential backoff only where a retry can help (5xx, timeouts,
refused connections), conditional GET with the ETag / Last-Modified last seen
for a URL, and a size limit read before the body is.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import IO
from urllib.parse import urlsplit

from storyfold.config import Settings
from storyfold.errors import StoryfoldError

Validators = tuple[str | None, str | None]
"""A URL's ``(ETag, Last-Modified)`` as its server last sent them."""


# How long a host's robots.txt is trusted before it is fetched again (RFC 9309
# asks crawlers not to keep it longer than 24 hours).
_ROBOTS_MAX_AGE = 24 * 3600.0


def user_agent() -> str:
    from storyfold import __version__

    return f"storyfold/{__version__} (+https://pypi.org/project/storyfold/)"


class FetchError(StoryfoldError):
    """A URL could not be fetched.  ``transient`` says whether trying again later
    may help (a timeout, a 5xx, a refused connection) or not (404, robots.txt,
    too large)."""

    def __init__(
        self, url: str, message: str, *, transient: bool, status: int | None = None
    ) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.message = message
        self.transient = transient
        self.status = status


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response: ``body`` is None when the server said 304 Not Modified."""

    url: str
    body: bytes | None
    content_type: str
    charset: str | None
    validators: Validators = (None, None)

    @property
    def not_modified(self) -> bool:
        return self.body is None


@dataclass(slots=True)
class Fetcher:
    """Fetches URLs politely.  ``sleep`` and ``clock`` are injectable so tests
    need not wait; ``validators`` holds the ETag / Last-Modified per URL and
    may be seeded from (and saved to) a store by the caller."""

    settings: Settings = field(default_factory=Settings)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    validators: dict[str, Validators] = field(default_factory=dict)
    _robots: dict[str, tuple[urllib.robotparser.RobotFileParser | None, float]] = field(
        default_factory=dict
    )
    _locks: dict[str, threading.RLock] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def get(self, url: str, *, conditional: bool = False) -> Fetched:
        """Fetch ``url``; with ``conditional``, send the validators last seen for it
        and return a body-less :class:`Fetched` on 304.  Raises :class:`FetchError`."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(url, "not an http(s) URL", transient=False)
        robots = self._check_robots(url)
        headers = {"User-Agent": user_agent()}
        known = self.validators.get(url) if conditional else None
        if known is not None:
            etag, modified = known
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        delay = self.settings.fetch_host_delay
        if robots is not None:
            delay = max(delay, float(robots.crawl_delay(user_agent()) or 0))
        fetched = self._with_retries(url, headers, delay)
        # Only what is asked for conditionally is remembered: a page is fetched
        # for its body, and a watch must not grow a dict entry per page it reads.
        if conditional and fetched.body is not None and fetched.validators != (None, None):
            self.validators[url] = fetched.validators
        return fetched

    def _with_retries(self, url: str, headers: dict[str, str], delay: float) -> Fetched:
        attempt = 0
        while True:
            try:
                return self._once(url, headers, delay)
            except FetchError as exc:
                if not exc.transient or attempt >= self.settings.fetch_retries:
                    raise
                self.sleep(self.settings.fetch_backoff * 2**attempt)
                attempt += 1

    def _once(self, url: str, headers: dict[str, str], delay: float) -> Fetched:
        host = urlsplit(url).netloc
        with self._guard:
            lock = self._locks.setdefault(host, threading.RLock())
        # One request at a time per host, and a pause since the previous one.
        with lock:
            last = self._last.get(host)
            if last is not None:
                wait = last + delay - self.clock()
                if wait > 0:
                    self.sleep(wait)
            try:
                return self._request(url, headers)
            finally:
                self._last[host] = self.clock()

    def _request(self, url: str, headers: dict[str, str]) -> Fetched:
        limit = self.settings.max_input_bytes
        request = urllib.request.Request(url, headers=headers)
        try:
            # Redirects are followed (up to 10), each target checked against its
            # host's robots.txt first.
            opener = urllib.request.build_opener(_RobotsRedirects(self._check_robots))
            with opener.open(request, timeout=self.settings.fetch_timeout) as response:
                info: Message = response.headers
                declared = info.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise FetchError(url, _too_large(int(declared), limit), transient=False)
                body = response.read(limit + 1)
                if len(body) > limit:
                    raise FetchError(url, _too_large(None, limit), transient=False)
                final = response.geturl()
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Fetched(url, None, "", None)
            # 429 Too Many Requests is the server asking to be tried later.
            raise FetchError(
                url,
                f"HTTP {exc.code} {exc.reason}",
                transient=exc.code >= 500 or exc.code == 429,
                status=exc.code,
            ) from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            timeout = isinstance(reason, TimeoutError)
            message = "timed out" if timeout else f"cannot connect ({reason})"
            raise FetchError(url, message, transient=True) from exc
        except TimeoutError as exc:
            raise FetchError(url, "timed out", transient=True) from exc
        except (OSError, http.client.HTTPException) as exc:
            # Refused, reset, or cut off mid-body (IncompleteRead): worth a retry.
            raise FetchError(url, f"connection failed ({exc!r})", transient=True) from exc
        return Fetched(
            final,
            body,
            info.get_content_type(),
            info.get_content_charset(),
            (info.get("ETag"), info.get("Last-Modified")),
        )

    def _check_robots(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        robots = self._robots_for(url)
        if robots is not None and not robots.can_fetch(user_agent(), url):
            raise FetchError(url, "disallowed by the site's robots.txt", transient=False)
        return robots

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        """The host's robots.txt (None when it has none), kept for a day as
        RFC 9309 allows, so a long watch notices when it changes."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        held = self._robots.get(key)
        if held is not None and self.clock() - held[1] < _ROBOTS_MAX_AGE:
            return held[0]
        robots_url = f"{key}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            fetched = self._with_retries(
                robots_url, {"User-Agent": user_agent()}, self.settings.fetch_host_delay
            )
        except FetchError as exc:
            if exc.transient:
                # Not known yet: nothing is fetched from the host until it is, and
                # nothing is remembered, so the next try asks again.
                raise FetchError(
                    url, f"its robots.txt could not be had ({exc.message})", transient=True
                ) from exc
            # As urllib.robotparser does: 401/403 forbid everything, other
            # answers (404 above all) leave the site open.
            found: urllib.robotparser.RobotFileParser | None = None
            if exc.status in (401, 403):
                parser.parse(["User-agent: *", "Disallow: /"])
                found = parser
            self._robots[key] = (found, self.clock())
            return found
        parser.parse((fetched.body or b"").decode("utf-8", errors="replace").splitlines())
        self._robots[key] = (parser, self.clock())
        return parser


class _RobotsRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only where robots.txt allows it."""

    def __init__(self, check: Callable[[str], object]) -> None:
        self.check = check

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        self.check(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _too_large(size: int | None, limit: int) -> str:
    given = f"{size / 1e6:.1f} MB" if size is not None else "more"
    return f"too large ({given} > {limit / 1e6:.1f} MB)"
