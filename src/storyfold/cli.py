"""The command line: a thin adapter over the library.

Each command opens the engine or the store, calls one library function, prints
the result, and turns storyfold's errors into a one-line message and exit code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from storyfold.config import Settings
from storyfold.engine import Engine
from storyfold.errors import StoryfoldError
from storyfold.export import export_articles, export_stories, story_record
from storyfold.render import FORMATS, RENDERERS
from storyfold.store import Store

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


def _store(db: Path) -> Store:
    if not db.exists():
        raise StoryfoldError(f"no store at {db}; create one with `storyfold ingest --db {db} ...`")
    return Store.open(db)


@app.command()
def ingest(
    inputs: Annotated[
        list[Path], typer.Argument(help="Files or folders of .txt, .html(.gz), .jsonl.")
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
        with Progress(
            SpinnerColumn(),
            TextColumn("folding"),
            BarColumn(),
            TextColumn("{task.completed} articles"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as bar:
            task = bar.add_task("ingest", total=None)
            report = engine.ingest_paths(inputs, progress=lambda n: bar.advance(task, n))
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
        sid = story if story in store.story_states() else store.story_of(story)
        if sid is None:
            raise StoryfoldError(f"no story or article {story!r} in {db}; see `storyfold stories`")
        sys.stdout.write(RENDERERS[format](story_record(store, sid)) + "\n")


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


def main() -> None:
    app()
