"""A local web site for the feed and watch tests: http.server on 127.0.0.1, port 0.

Routes are set and changed by the test while the server runs; every request is
recorded with its headers so a test can check what the client sent.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    send_length: bool = True


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


class LocalSite:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self.start()

    # --- lifecycle: stop() then start() brings the site back on the same port
    def start(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                site.requests.append(Seen(self.path, headers))
                route = site.routes.get(self.path)
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.send_length:
                    self.send_header("Content-Length", str(len(route.body)))
                if route.etag:
                    self.send_header("ETag", route.etag)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                # The client may hang up on a large body: that is what it should do.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        # A short poll interval: stop() returns within 50 ms instead of 500.
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LocalSite:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- content --------------------------------------------------------------
    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: str | bytes, **route: object) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data, **route)  # type: ignore[arg-type]
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]


# --- article and feed makers ---------------------------------------------------
TOPICS = {
    "flood": (
        "River Ardle floods the town of Kelmoor",
        "The River Ardle burst its banks on Tuesday night and flooded the centre of Kelmoor, "
        "forcing about four hundred residents from their homes. Firefighters used boats to "
        "reach families trapped on upper floors, and the council opened the sports hall on "
        "Mill Road as a shelter. Water stood a metre deep in the market square by dawn. "
        "Engineers said the flood barrier built in 2009 had been overtopped after two weeks "
        "of heavy rain across the Ardle valley, and the weather service warned that more rain "
        "would fall on the saturated hills before the weekend.",
    ),
    "election": (
        "Mayor Odile Varga wins second term in Port Selden",
        "Odile Varga was re-elected mayor of Port Selden on Sunday with fifty-four per cent "
        "of the vote, defeating the harbour commissioner Tomas Reyl after a campaign fought "
        "over housing costs and the future of the container terminal. Turnout rose to "
        "sixty-one per cent, the highest in two decades. Varga promised to build three "
        "thousand affordable flats and to put the terminal expansion to a public vote. Reyl "
        "conceded before midnight and said his coalition would hold the mayor to her pledges "
        "in the city council, where her party lost two seats.",
    ),
    "transplant": (
        "Surgeons in Velden complete first hand transplant",
        "A team of surgeons at Velden University Hospital has carried out the country's first "
        "hand transplant, a fourteen-hour operation on a carpenter who lost his right hand in "
        "a workshop accident two years ago. The lead surgeon, Dr Mira Holst, said the patient "
        "could already move two fingers and would need years of physiotherapy. The donor's "
        "family agreed to the donation after a road accident. The hospital said it had "
        "trained for the procedure with colleagues in Lyon and Innsbruck since 2021 and hopes "
        "to offer it to four patients a year.",
    ),
    "strike": (
        "Rail workers strike halts trains across Norland",
        "Trains across Norland stood still on Monday as twelve thousand rail workers walked "
        "out in a dispute over pay and the closure of ticket offices. The union said the "
        "strike would last forty-eight hours and that further stoppages were planned for "
        "next month unless the operator raised its offer above four per cent. Commuters "
        "crowded onto buses and ferries, and motorways around the capital were jammed by "
        "seven in the morning. The transport minister called the walkout reckless and urged "
        "both sides to return to talks at the arbitration service on Wednesday.",
    ),
}


def page(topic: str) -> str:
    title, body = TOPICS[topic]
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip())
    return (
        f"<html><head><title>{title}</title></head><body><nav>Home | World | Sport</nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article><footer>© Example News</footer>"
        "</body></html>"
    )


def teaser(topic: str) -> str:
    return TOPICS[topic][1].split(". ")[0] + "."


PUBLISHED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def rss(items: list[tuple[str, str, str | None]], title: str = "Example News") -> str:
    """RSS 2.0; each item is (guid, link, full body or None for a teaser only)."""
    parts = []
    for guid, link, body in items:
        topic = guid.split("-")[0]
        content = f"<content:encoded><![CDATA[{body}]]></content:encoded>" if body else ""
        parts.append(
            f"<item><title>{TOPICS[topic][0]}</title><link>{link}</link>"
            f"<guid isPermaLink='false'>{guid}</guid>"
            f"<pubDate>Fri, 20 Nov 2026 11:30:00 +0200</pubDate>"
            f"<description><![CDATA[{teaser(topic)}]]></description>{content}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{title}</title><link>https://news.example.org/</link>"
        f"<lastBuildDate>{format_datetime(PUBLISHED)}</lastBuildDate>"
        f"{''.join(parts)}</channel></rss>"
    )


def atom(items: list[tuple[str, str, str]], title: str = "Atom Daily") -> str:
    entries = "".join(
        f"<entry><id>{guid}</id><title>{TOPICS[guid.split('-')[0]][0]}</title>"
        f"<link href='{link}'/><published>2026-11-20T08:15:00-05:00</published>"
        f"<updated>2026-11-20T08:15:00-05:00</updated>"
        f"<content type='html'><![CDATA[{body}]]></content></entry>"
        for guid, link, body in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:atom-daily</id><updated>2026-11-20T08:15:00Z</updated>"
        f"<link href='https://atom.example.com/'/>{entries}</feed>"
    )
