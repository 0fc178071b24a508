"""A story record written for people: plain text, Markdown or HTML.

``storyfold show`` prints these; JSON is the export record itself.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

FORMATS = ("text", "markdown", "json", "html")
# Entities and claims shown per story; the export keeps them all.
_SHOWN = 12


def _cites(articles: list[str]) -> str:
    return ", ".join(articles)


def _sections(record: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The story as titled sections of plain lines."""
    people = [e for e in record["entities"] if e["type"] == "person"][:_SHOWN]
    others = [e for e in record["entities"] if e["type"] != "person"][:_SHOWN]
    outlets = {a for c in record["coverage"] for a in c["articles"]}
    shared = [c for c in record["coverage"] if len(c["articles"]) == len(outlets) > 1]
    when = [f"first seen {record['first_seen'] or '?'}, last seen {record['last_seen'] or '?'}"]
    when += [f"{d['date']} ({d['kind']}) [{_cites(d['articles'])}]" for d in record["timeline"]]
    return [
        ("sources", [", ".join(record["sources"])] if record["sources"] else []),
        ("articles", list(record["articles"])),
        ("summary", [f"{s['text']} [{_cites(s['articles'])}]" for s in record["summary"]]),
        (
            "quotes",
            [f"{q['speaker']}: “{q['text']}” [{_cites(q['articles'])}]" for q in record["quotes"]],
        ),
        (
            "who and where",
            [
                f"{e['name']} ({e['type']}, {e['mentions']} mentions"
                + (
                    f"; also {', '.join(v for v in e['variants'] if v != e['name'])}"
                    if len(e["variants"]) > 1
                    else ""
                )
                + ")"
                for e in [*people, *others]
            ],
        ),
        ("what every article reports", [c["claim"] for c in shared[:_SHOWN]]),
        (
            "claims and who carries them",
            [f"{c['claim']} [{_cites(c['articles'])}]" for c in record["coverage"][:_SHOWN]],
        ),
        ("when", when),
        ("related stories", [f"{r['story']}: {r['why']}" for r in record["related"]]),
    ]


def as_text(record: dict[str, Any]) -> str:
    lines = [f"{record['title']}  ({record['story']})"]
    for title, items in _sections(record):
        if items:
            lines += [f"{title}:", *(f"  - {item}" for item in items)]
    return "\n".join(lines)


def as_markdown(record: dict[str, Any]) -> str:
    lines = [f"# {record['title']}", "", f"Story `{record['story']}`"]
    for title, items in _sections(record):
        if items:
            lines += ["", f"## {title.capitalize()}", "", *(f"- {item}" for item in items)]
    return "\n".join(lines)


def as_html(record: dict[str, Any]) -> str:
    esc = html.escape
    parts = [
        "<!doctype html>",
        f'<html><head><meta charset="utf-8"><title>{esc(record["title"] or "")}</title></head>',
        f"<body><article><h1>{esc(record['title'] or '')}</h1>",
        f"<p>Story <code>{esc(record['story'])}</code></p>",
    ]
    for title, items in _sections(record):
        if items:
            parts.append(f"<h2>{esc(title.capitalize())}</h2><ul>")
            parts += [f"<li>{esc(item)}</li>" for item in items]
            parts.append("</ul>")
    parts.append("</article></body></html>")
    return "\n".join(parts)


def as_json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2)


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "text": as_text,
    "markdown": as_markdown,
    "json": as_json,
    "html": as_html,
}
