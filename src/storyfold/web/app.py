"""The HTTP layer: pages for people and a JSON API, a thin adapter over the
library (the queries live in ``storyfold.store.browse`` and
``storyfold.web.queries``; ingest is ``Engine.ingest``).

Every page is a Jinja2 template with autoescaping on, served with a
Content-Security-Policy that allows no script at all: text from articles is
escaped, and even a mistake in a template could not run a script.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import storyfold
from storyfold.errors import StoryfoldError
from storyfold.export import article_record, story_record
from storyfold.outlets import outlet_name
from storyfold.readers.base import Skipped
from storyfold.readers.files import record_article
from storyfold.records import RawArticle
from storyfold.store.browse import MATCH_END, MATCH_START, StorySummary
from storyfold.web.chart import MENTIONED, PUBLISHED, timeline_svg
from storyfold.web.queries import Sort, StoryFilter, list_stories, story_view
from storyfold.web.site import EngineFactory, ServeOptions, Site, default_engine

_HERE = Path(__file__).parent
_CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class ApiError(HTTPException):
    """An error answered as JSON ``{"error": message}`` (or as a page for people)."""


def create_app(
    db: str | Path,
    options: ServeOptions | None = None,
    engine_factory: EngineFactory = default_engine,
) -> FastAPI:
    site = Site(db, options, engine_factory)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        site.close()

    # The API docs' scripts and styles are served from the package, not a CDN:
    # /docs works on a machine without internet.
    app = FastAPIOffline(
        title="storyfold",
        version=storyfold.__version__,
        description="Stories folded from news articles: read them, search them, and "
        "send new articles to be folded in (`POST /api/articles`, with a bearer token).",
        lifespan=lifespan,
    )
    app.state.site = site
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    templates = Jinja2Templates(env=_environment())

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = str(exc.detail)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, exc.status_code, headers=exc.headers)
        return page(
            request,
            "error.html",
            exc.status_code,
            title="Not found" if exc.status_code == 404 else "Error",
            message=message,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        message = "; ".join(_describe(e) for e in exc.errors())
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, 422)
        return page(request, "error.html", 400, title="Bad request", message=message)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        message = f"internal error ({type(exc).__name__}); the server log has the details"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, 500)
        return page(request, "error.html", 500, title="Server error", message=message)

    # --- pages -------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(
        request: Request,
        q: str = "",
        source: str = "",
        lang: str = "",
        since: str = "",
        until: str = "",
        sort: Sort = "recent",
        page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
    ) -> HTMLResponse:
        notes: list[str] = []
        since_day, until_day = _day(since, "from", notes), _day(until, "to", notes)
        wanted = StoryFilter(
            q=q.strip() or None,
            source=source or None,
            lang=lang or None,
            since=since_day,
            until=until_day,
            sort=sort,
            page=page_number,
            per_page=site.options.per_page,
        )
        with site.reader() as store:
            found = list_stories(store, site.index, wanted)
            sources, langs = site.index.facets(store)
            total = len(site.index.rows(store))
        params = {
            "q": q,
            "source": source,
            "lang": lang,
            "since": since_day or "",
            "until": until_day or "",
            "sort": sort,
        }
        return page(
            request,
            "home.html",
            found=found,
            total=total,
            sources=sources[:200],
            langs=langs,
            params=params,
            notes=notes,
            link=lambda **change: (
                "/?"
                + urlencode({k: v for k, v in {**params, **change}.items() if v not in ("", None)})
            ),
            filtered=any(params[k] for k in ("q", "source", "lang", "since", "until")),
        )

    @app.get("/stories/{story}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story: str) -> HTMLResponse:
        with site.reader() as store:
            view = story_view(store, site.index, story)
        if view is None:
            raise HTTPException(404, f"There is no story {story!r} in this store.")
        return page(
            request,
            "story.html",
            view=view,
            chart=timeline_svg(view.timeline),
            published_colour=PUBLISHED,
            mentioned_colour=MENTIONED,
        )

    @app.get("/articles/{article}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article: str) -> HTMLResponse:
        with site.reader() as store:
            found = store.article(article)
            if found is None:
                raise HTTPException(404, f"There is no article {article!r} in this store.")
            story_id = store.story_of(article)
            story = site.index.get(store, story_id) if story_id else None
            link = store.copy_link(article)
            family = store.copy_family(article)
            members = []
            if family is not None:
                root, copies = family
                for member in [root, *copies]:
                    held = store.article(member)
                    if held is not None:
                        members.append((held, store.copy_link(member)))
        return page(request, "article.html", article=found, story=story, link=link, family=members)

    @app.get("/copies", response_class=HTMLResponse, include_in_schema=False)
    def copies_page(
        request: Request, page_number: Annotated[int, Query(alias="page", ge=1)] = 1
    ) -> HTMLResponse:
        per_page = site.options.per_page
        with site.reader() as store:
            originals = store.originals_with_copies()
            shown = originals[(page_number - 1) * per_page : page_number * per_page]
            families = []
            for original in shown:
                held = store.article(original)
                copies = [
                    (a, store.copy_link(c))
                    for c in store.copies_of(original)
                    if (a := store.article(c)) is not None
                ]
                if held is not None:
                    families.append((held, copies))
        pages = max(1, -(-len(originals) // per_page))
        return page(
            request,
            "copies.html",
            families=families,
            total=len(originals),
            page_number=page_number,
            pages=pages,
        )

    # --- API ---------------------------------------------------------------------------
    @app.get("/api/stories", tags=["stories"])
    def api_stories(
        q: Annotated[str | None, Query(description="Words every story must contain")] = None,
        source: Annotated[str | None, Query(description="An outlet's name")] = None,
        lang: Annotated[str | None, Query(description="ISO 639-1 language")] = None,
        since: Annotated[date | None, Query(description="Stories with dates on or after")] = None,
        until: Annotated[date | None, Query(description="Stories with dates on or before")] = None,
        sort: Sort = "recent",
        page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> dict[str, Any]:
        """Stories, the most recently active first (or the largest: `sort=size`)."""
        wanted = StoryFilter(
            q=q,
            source=source,
            lang=lang,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            sort=sort,
            page=page_number,
            per_page=per_page,
        )
        with site.reader() as store:
            found = list_stories(store, site.index, wanted)
        return {
            "total": found.total,
            "page": found.page,
            "per_page": found.per_page,
            "pages": found.pages,
            "stories": [_summary_json(s) for s in found.stories],
        }

    @app.get("/api/stories/{story}", tags=["stories"])
    def api_story(story: str) -> dict[str, Any]:
        """One story as `storyfold export` writes it (export format version 1)."""
        with site.reader() as store:
            if site.index.get(store, story) is None:
                raise ApiError(404, f"no story {story!r}; list them at /api/stories")
            return story_record(store, story)

    @app.get("/api/articles/{article}", tags=["articles"])
    def api_article(article: str) -> dict[str, Any]:
        """One article as `storyfold export --what articles` writes it."""
        with site.reader() as store:
            found = store.article(article)
            if found is None:
                raise ApiError(404, f"no article {article!r}")
            return article_record(store, found)

    @app.get("/api/search", tags=["search"])
    def api_search(
        q: Annotated[str, Query(min_length=1, description="Words to find (all of them)")],
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
    ) -> dict[str, Any]:
        """Articles holding every word of `q` (title or body), best match first,
        and the stories they belong to."""
        with site.reader() as store:
            hits = store.search_articles(q, limit)
            stories = [
                s
                for sid in store.stories_matching(q, limit)
                if (s := site.index.get(store, sid)) is not None
            ]
        return {
            "query": q,
            "stories": [_summary_json(s) for s in stories],
            "articles": [
                {
                    "id": h.id,
                    "title": h.title,
                    "source": h.source,
                    "published": h.published,
                    "story": h.story,
                    "snippet": h.snippet.replace(MATCH_START, "").replace(MATCH_END, ""),
                }
                for h in hits
            ],
        }

    @app.post(
        "/api/articles",
        tags=["articles"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ARTICLES_SCHEMA}},
            }
        },
        responses={
            401: {"description": "No or wrong bearer token"},
            403: {"description": "This server takes no articles (no token configured)"},
            413: {"description": "Body too large, or too many articles"},
            422: {"description": "Not JSON, or an article that is not valid: nothing written"},
        },
    )
    async def api_ingest(request: Request) -> dict[str, Any]:
        """Fold a JSON list of articles (the JSONL input schema: `id`, `text` or
        `html`, optional `url`, `title`, `published`, `source`, `lang`; other
        fields kept as metadata) into the store.  Needs
        `Authorization: Bearer <token>`.  Every article is checked before any is
        written: one bad article refuses the whole request."""
        _authorise(site, request)
        body = await _read_body(request, site.options.max_body_bytes)
        articles = _parse_articles(body, site.options.max_articles)
        try:
            report, stories = await run_in_threadpool(site.ingest, articles)
        except StoryfoldError as exc:
            raise ApiError(500, f"the ingest failed: {exc}") from exc
        return {
            "ingested": report.ingested,
            "unchanged": report.unchanged,
            "copies": report.copies,
            "stories_opened": report.stories_opened,
            "skipped": [{"origin": s.origin, "reason": s.reason} for s in report.skipped],
            "articles": [{"id": a.id, "story": stories.get(a.id)} for a in articles],
        }

    return app


_ARTICLES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            name: {"type": "string", "description": what}
            for name, what in (
                ("id", "the article's id (else a stable hash of source and text)"),
                ("text", "plain text of the article (this or html)"),
                ("html", "the article's HTML page (this or text)"),
                ("url", "where it was published"),
                ("title", "its headline"),
                ("published", "publication date, ISO 8601"),
                ("source", "the outlet"),
                ("lang", "ISO 639-1 language (found from the text when absent)"),
            )
        },
        "additionalProperties": True,
    },
}


class SecurityHeaders:
    """Headers on every answer; the Content-Security-Policy on all but the
    OpenAPI pages (whose viewer loads its own scripts).  Plain ASGI: cheaper
    per request than Starlette's BaseHTTPMiddleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        strict = not str(scope.get("path", "")).startswith(("/docs", "/redoc"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                if strict:
                    headers["Content-Security-Policy"] = _CSP
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("storyfold.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = lambda text: [
        p.strip() for p in str(text).split("\n\n") if p.strip()
    ]
    env.filters["evidence"] = _evidence
    env.filters["web_url"] = lambda url: url if _is_web_url(url) else None
    env.filters["outlet"] = lambda article: outlet_name(article.source, article.url)
    env.filters["day"] = lambda value: str(value)[:10] if value else ""
    env.globals["version"] = storyfold.__version__
    return env


def _evidence(value: object) -> str:
    """A copy link's score as people read it: counts whole, shares to two places."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _is_web_url(url: object) -> bool:
    """Only http(s) links are drawn: a ``javascript:`` URL is never a link."""
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))


def _day(value: str, label: str, notes: list[str]) -> str | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        notes.append(f"The '{label}' date {value!r} is not a date (YYYY-MM-DD); it was ignored.")
        return None


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg"))


def _summary_json(s: StorySummary) -> dict[str, Any]:
    return {
        "story": s.id,
        "title": s.title,
        "articles": s.articles,
        "sources": list(s.sources),
        "langs": list(s.langs),
        "first_seen": s.first_seen,
        "last_seen": s.last_seen,
    }


def _authorise(site: Site, request: Request) -> None:
    if site.options.token is None:
        raise ApiError(
            403,
            "this server takes no articles: start it with --token TOKEN "
            "(or STORYFOLD_TOKEN) to allow POST /api/articles",
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(
            401,
            "send the token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not site.token_matches(given.strip()):
        raise ApiError(401, "wrong token", headers={"WWW-Authenticate": "Bearer"})


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = f"request body over {limit:,} bytes; send fewer articles per request"
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, too_large)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, too_large)
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_articles(body: bytes, most: int) -> list[RawArticle]:
    """Every article of the body, or a 4xx naming each bad one (nothing is written)."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = (
            f" at line {exc.lineno} column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise ApiError(422, f"the body is not JSON ({_reason(exc)}{where})") from exc
    if not isinstance(data, list):
        raise ApiError(422, f"expected a JSON list of articles, found {_json_type(data)}")
    if not data:
        raise ApiError(422, "the list of articles is empty")
    if len(data) > most:
        raise ApiError(413, f"{len(data)} articles in one request; send at most {most}")
    articles, bad = [], []
    for number, record in enumerate(data):
        item = record_article(record, f"article [{number}]")
        if isinstance(item, Skipped):
            bad.append(str(item))
        else:
            articles.append(item)
    if bad:
        shown = "; ".join(bad[:10]) + (f"; and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise ApiError(422, f"nothing was ingested: {shown}")
    return articles


def _reason(exc: Exception) -> str:
    return exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"


def _json_type(value: object) -> str:
    names = {
        dict: "an object",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
