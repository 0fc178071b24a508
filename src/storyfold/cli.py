"""The command line: a thin adapter over the library.

Each command opens the engine or the store, calls one library function, prints
the result, and turns storyfold's errors into a one-line message and exit code.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from storyfold.config import BATCH_STORY_LEAD_IN, BATCH_STORY_WINDOW, Settings
from storyfold.engine import DeleteReport, Engine
from storyfold.errors import StoryfoldError
from storyfold.export import export_articles, export_stories, story_record
from storyfold.render import FORMATS, RENDERERS
from storyfold.store import Store
from storyfold.watch import Watcher, parse_interval

app = typer.Typer(
    help="Fold raw news articles into stories.", no_args_is_help=True, add_completion=False
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    Path, typer.Option("--db", envvar="STORYFOLD_DB", help="The store file (SQLite).")
]
DEFAULT_DB = Path("storyfold.db")


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except StoryfoldError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None]]:
    """A progress line on standard error (on a terminal only): yields the
    callback that advances it by a number of articles."""
    with Progress(
        SpinnerColumn(),
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.completed} articles"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)


def _store(db: Path) -> Store:
    if not db.exists():
        raise StoryfoldError(f"no store at {db}; create one with `storyfold ingest --db {db} ...`")
    return Store.open(db)


@app.command()
def ingest(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files or folders of .txt, .html(.gz), .jsonl, .rss/.atom/.xml, .warc(.gz); "
            "or feed URLs."
        ),
    ],
    db: DbOption = DEFAULT_DB,
    embedder: Annotated[
        str, typer.Option(help="'use' (multilingual) or 'hashing' (no model).")
    ] = "use",
    max_bytes: Annotated[
        int, typer.Option(help="Skip inputs larger than this.")
    ] = Settings().max_input_bytes,
    batch_size: Annotated[
        int, typer.Option(help="Articles per committed batch.")
    ] = Settings().batch_size,
) -> None:
    """Read articles, clean them, find copies and fold them into stories."""
    settings = replace(
        Settings(), embedder=embedder, max_input_bytes=max_bytes, batch_size=batch_size
    )
    with _errors(), Engine.open(db, settings=settings) as engine:
        with _progress("folding") as advance:
            report = engine.ingest_paths(inputs, progress=advance)
        for notice in report.notices:
            err.print(f"note: {notice}", highlight=False, markup=False)
        for skipped in report.skipped:
            err.print(f"skipped: {skipped}", highlight=False, markup=False)
        err.print(
            f"ingested {report.ingested}, unchanged {report.unchanged}, "
            f"skipped {len(report.skipped)}; copies {report.copies}, "
            f"new stories {report.stories_opened}",
            highlight=False,
        )
    if report.skipped:
        raise typer.Exit(1)


@app.command()
def batch(
    inputs: Annotated[list[str], typer.Argument(help="Files or folders, as `ingest` reads them.")],
    db: DbOption = DEFAULT_DB,
    scheduler: Annotated[
        str,
        typer.Option(help="local:N (N worker processes here) or tcp://HOST:PORT (a scheduler)."),
    ] = "local:2",
    partitions: Annotated[
        int | None, typer.Option(help="Input partitions (default: 4 per worker).")
    ] = None,
    embedder: Annotated[
        str, typer.Option(help="'use' (multilingual) or 'hashing' (no model).")
    ] = "use",
    digests: Annotated[bool, typer.Option(help="Write a digest per story.")] = True,
    story_window: Annotated[
        int,
        typer.Option(
            help="Fold the stories of each this many arrivals in parallel on the workers, "
            "joined at the seams (close to ingest's stories, not equal: docs/scaling.md); "
            "0: all on the client, exactly as ingest does."
        ),
    ] = BATCH_STORY_WINDOW,
    story_lead_in: Annotated[
        int, typer.Option(help="Articles before each window folded again to match its seam.")
    ] = BATCH_STORY_LEAD_IN,
) -> None:
    """Fold many articles into a new store on a Dask cluster (the same copies and
    stories as ingest, unless --story-window is set)."""
    from functools import partial

    from storyfold.batch import BatchOptions, connect, run_batch

    settings = replace(Settings(), embedder=embedder)
    if story_window < 0 or story_lead_in < 0:
        raise typer.BadParameter("--story-window and --story-lead-in take 0 or more articles")
    options = BatchOptions(
        partitions=partitions,
        digests=digests,
        story_window=story_window,
        story_lead_in=story_lead_in,
    )
    with _errors(), Engine.open(db, settings=settings) as engine, connect(scheduler) as client:
        report = run_batch(engine, inputs, client, partial(Engine, settings=settings), options)
        for notice in report.notices:
            err.print(f"note: {notice}", highlight=False, markup=False)
        for skipped in report.skipped:
            err.print(f"skipped: {skipped}", highlight=False, markup=False)
        err.print(
            f"ingested {report.ingested}, unchanged {report.unchanged}, "
            f"skipped {len(report.skipped)}; copies {report.copies}, "
            f"new stories {report.stories_opened}; {report.partitions} partitions",
            highlight=False,
        )
    if report.skipped:
        raise typer.Exit(1)


@app.command()
def stories(
    db: DbOption = DEFAULT_DB,
    ids: Annotated[bool, typer.Option("--ids", help="Print only story ids, one a line.")] = False,
) -> None:
    """List the stories, the most recently active first."""
    with _errors():
        store = _store(db)
        if ids:
            for story in store.story_ids():
                out.print(story, highlight=False)
            return
        table = Table("story", "articles", "sources", "title", box=None, pad_edge=False)
        for story in store.story_ids():
            record = story_record(store, story)
            table.add_row(
                story,
                str(len(record["articles"])),
                ", ".join(record["sources"]) or "-",
                record["title"] or "",
            )
        out.print(table)


@app.command()
def show(
    story: Annotated[str, typer.Argument(help="A story id, or an article id to show its story.")],
    db: DbOption = DEFAULT_DB,
    format: Annotated[
        str, typer.Option("--format", help="'text', 'markdown', 'json' or 'html'.")
    ] = "text",
) -> None:
    """Show one story: summary, quotes, who and where, coverage, dates, related stories."""
    with _errors():
        if format not in RENDERERS:
            raise StoryfoldError(f"--format must be one of {', '.join(FORMATS)}, not {format!r}")
        store = _store(db)
        current = store.current_story(story)  # a merged story's id still answers
        sid = current if store.story_state(current) is not None else store.story_of(story)
        if sid is None:
            raise StoryfoldError(f"no story or article {story!r} in {db}; see `storyfold stories`")
        record = story_record(store, sid)
        if format != "json":  # for people: each article with its title and copy link
            record = {**record, "articles": [_article_line(store, a) for a in record["articles"]]}
        sys.stdout.write(RENDERERS[format](record) + "\n")


def _article_line(store: Store, article_id: str) -> str:
    article = store.article(article_id)
    link = store.copy_link(article_id)
    title = article.title if article and article.title else ""
    copy = f"  [{link.kind} copy of {link.original}]" if link else ""
    return f"{article_id}  {title}{copy}".rstrip()


@app.command()
def export(
    db: DbOption = DEFAULT_DB,
    what: Annotated[str, typer.Option(help="'articles' or 'stories'.")] = "stories",
) -> None:
    """Write articles or stories as JSON Lines to standard output."""
    with _errors():
        store = _store(db)
        if what not in ("articles", "stories"):
            raise StoryfoldError(f"--what must be 'articles' or 'stories', not {what!r}")
        records: Iterator[dict[str, Any]] = (
            export_articles(store) if what == "articles" else export_stories(store)
        )
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


eval_app = typer.Typer(help="Score storyfold on labelled JSON Lines.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _eval(path: Path, what: str, embedder: str, regroup: bool = False) -> None:
    from storyfold.evaluate import evaluate

    with _errors():
        if not path.is_file():
            raise StoryfoldError(f"no such file: {path}")
        with _progress(f"scoring {what}") as advance:
            settings = replace(Settings(), embedder=embedder)
            scores = evaluate(path, what, settings, advance, regroup=regroup)
        table = Table("measure", "value", box=None, pad_edge=False)
        for name, value in scores.as_dict().items():
            table.add_row(name, str(value))
        out.print(table)


@eval_app.command("stories")
def eval_stories(
    path: Annotated[Path, typer.Argument(help="JSONL with id, text and a gold 'story'.")],
    embedder: Annotated[str, typer.Option(help="'use' or 'hashing'.")] = "use",
    regroup: Annotated[
        bool, typer.Option(help="Score the stories after `storyfold regroup`.")
    ] = False,
) -> None:
    """B-cubed, pairwise and ARI scores of story clustering on a labelled file."""
    _eval(path, "stories", embedder, regroup)


@eval_app.command("copies")
def eval_copies(
    path: Annotated[Path, typer.Argument(help="JSONL with id, text and a gold 'family'.")],
    embedder: Annotated[str, typer.Option(help="'use' or 'hashing'.")] = "use",
) -> None:
    """Pairwise and ARI scores of copy families on a labelled file."""
    _eval(path, "copies", embedder)


@eval_app.command("clean")
def eval_clean(
    path: Annotated[
        Path,
        typer.Argument(help="A *.text.jsonl (page_text, gold_body) or a folder (gold.json, html)."),
    ],
) -> None:
    """Score cleaning: word 4-gram shingle P/R/F1 of bodies; title, byline, date accuracy."""
    from storyfold.clean.evaluation import evaluate_clean

    with _errors():
        with _progress("cleaning labelled pages") as advance:
            report = evaluate_clean(path, progress=advance)
        table = Table("measure", "value", box=None, pad_edge=False)
        for name, value in report.as_dict().items():
            table.add_row(name, "n/a" if value is None else str(value))
        out.print(table)


@app.command()
def copies(db: DbOption = DEFAULT_DB) -> None:
    """List copy families: each original with its copies, kind and evidence."""
    with _errors():
        store = _store(db)
        for original in store.originals_with_copies():
            out.print(original, highlight=False)
            for copy in store.copies_of(original):
                link = store.copy_link(copy)
                assert link is not None
                evidence = ", ".join(f"{k} {v:g}" for k, v in link.evidence.items())
                out.print(f"  {link.kind:<11} {copy}  ({evidence})", highlight=False, markup=False)


def _existing_engine(db: Path) -> Engine:
    """The engine over an existing store, with the embedder its vectors came from."""
    store = _store(db)
    embedder = "hashing" if store.meta("embedder") == "hashing" else "use"
    return Engine(store, settings=replace(Settings(), embedder=embedder))


def _print_deleted(report: DeleteReport) -> None:
    for missing in report.missing:
        err.print(f"not stored: {missing}", highlight=False, markup=False)
    err.print(
        f"deleted {len(report.deleted)} articles; {len(report.new_originals)} new originals; "
        f"stories updated {len(report.stories_updated)}, deleted {len(report.stories_deleted)}",
        highlight=False,
    )


@app.command()
def regroup(db: DbOption = DEFAULT_DB) -> None:
    """Group every stored article again, all pairs weighed at once (a closed set;
    up to 5,000 articles). Story ids stay where most of their articles stay."""
    with _errors(), _existing_engine(db) as engine:
        with _progress("regrouping"):
            report = engine.regroup()
        for story, into, count in report.merges:
            err.print(f"merged {story} into {into} ({count} articles)", highlight=False)
        for story, source, count in report.splits:
            err.print(f"split {story} from {source} ({count} articles)", highlight=False)
        err.print(
            f"regrouped {report.articles} articles: stories {report.stories_before} -> "
            f"{report.stories_after}, {report.moved} articles moved",
            highlight=False,
        )


@app.command()
def delete(
    ids: Annotated[list[str], typer.Argument(help="Ids of the articles to delete.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Delete articles with their index entries; mend their copy families and stories."""
    with _errors(), _existing_engine(db) as engine:
        _print_deleted(engine.delete(ids))


@app.command()
def expire(
    before: Annotated[
        str, typer.Option(help="ISO date or date-time (UTC unless it names a zone).")
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Delete articles published before a date (undated ones: ingested before it)."""
    with _errors(), _existing_engine(db) as engine:
        _print_deleted(engine.expire(before))


@app.command()
def watch(
    sources: Annotated[
        list[str], typer.Argument(help="Feed URLs, feed files, or any input `ingest` reads.")
    ],
    db: DbOption = DEFAULT_DB,
    every: Annotated[str, typer.Option(help="Time between polls: 30s, 10m, 1h.")] = "10m",
    embedder: Annotated[
        str, typer.Option(help="'use' (multilingual) or 'hashing' (no model).")
    ] = "use",
    max_polls: Annotated[
        int | None, typer.Option(help="Stop after this many polls (default: never).")
    ] = None,
) -> None:
    """Poll feeds and files on an interval and ingest what is new; Ctrl-C stops."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    with _errors():
        interval = parse_interval(every)
        settings = replace(Settings(), embedder=embedder)
        with Engine.open(db, settings=settings) as engine, _sigterm_as_interrupt():
            Watcher(engine, sources, interval, max_polls=max_polls).run()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a watch as Ctrl-C does: the batch in flight is rolled back
    and the store is closed."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command()
def sources(db: DbOption = DEFAULT_DB) -> None:
    """List the outlets: name, domain, article count, first and last seen."""
    with _errors():
        store = _store(db)
        table = Table("source", "domain", "articles", "first seen", "last seen", box=None)
        for outlet in store.outlets():
            table.add_row(
                outlet.name,
                outlet.domain or "-",
                str(outlet.articles),
                outlet.first_seen or "-",
                outlet.last_seen or "-",
            )
        out.print(table)


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="STORYFOLD_TOKEN",
            help="Bearer token that POST /api/articles requires; without one, ingest over "
            "HTTP is refused.",
        ),
    ] = None,
    embedder: Annotated[
        str, typer.Option(help="For POSTed articles: 'use' or 'hashing', as the store holds.")
    ] = "use",
) -> None:
    """Serve the web UI and the JSON API (OpenAPI docs at /docs)."""
    import uvicorn

    from storyfold.web import ServeOptions, create_app

    settings = replace(Settings(), embedder=embedder)
    with _errors():
        if not db.exists() and token is None:
            raise StoryfoldError(
                f"no store at {db}; ingest into it first, or give --token to receive articles"
            )
        web = create_app(
            db, ServeOptions(token=token or None), partial(Engine.open, settings=settings)
        )
    err.print(
        f"serving {db} on http://{host}:{port}  (ingest over HTTP "
        f"{'on' if token else 'off: no --token'})",
        highlight=False,
    )
    # Idle connections are kept 20 s (uvicorn's default is 5 s, the same as
    # common clients' own expiry, so a client reusing a connection as the
    # server drops it gets a reset: seen under load, bench/load_web.py).
    uvicorn.run(web, host=host, port=port, log_level="warning", timeout_keep_alive=20)


def main() -> None:
    app()
