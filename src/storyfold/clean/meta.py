"""Title, byline and publication date of an HTML page.

Read from what pages declare (JSON-LD ``Article`` objects, Open Graph and
other ``<meta>`` tags, ``<time>`` elements, the URL) and what they show (the
``<h1>`` headline, a "By ..." line), then chosen:

- title: the page's ``<h1>`` when it agrees with a declared title (the
  declared ones often carry the site's name: "Headline | Site"), else the
  JSON-LD headline, else a declared title without its site suffix;
- byline: person names only: JSON-LD authors of type Person (or untyped),
  author meta tags, a "By ..." line; names of organisations, wire services
  and URLs are dropped;
- date: JSON-LD ``datePublished``, then publication meta tags, then a
  ``<time>`` element, then the URL, then the text; never later than the crawl
  date (when known), the time zone kept when given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from html import unescape
from typing import Any

from storyfold.clean.dates import parse_date, url_date

_ARTICLE_TYPES = re.compile(
    r"article|posting|report|news|blog|webpage|review|recipe|howto|creativework", re.IGNORECASE
)
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "dcterms.date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "published_time",
    "og:published_time",
    "citation_publication_date",
    "release_date",
)
_AUTHOR_META = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "byl",
    "citation_author",
)
_TITLE_META = ("og:title", "twitter:title", "title", "headline", "dc.title", "parsely-title")
_NOT_PERSON = re.compile(
    r"\b(?:the )?(?:reuters|associated press|ap|afp|agence france-presse|bloomberg|dpa|efe|ansa|"
    r"xinhua|tass|upi|pa media|pa|cnn|bbc|staff|staff writers?|admin|administrator|editor|"
    r"editors|editorial(?: staff| team| board)?|news ?desk|web ?desk|newsroom|guest|unknown|"
    r"anonymous)(?: staff)?$",
    re.IGNORECASE,
)
_BY_LINE = re.compile(r"^\s*(?:by|written by|words by|von|par|por)\s+(?P<names>.+)$", re.IGNORECASE)
_CODE = re.compile(r"[/:{}=<>_#]")
_SPLIT_NAMES = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|\s*&\s*|;\s*|,\s*)\s*")
_SUFFIX_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ")


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str | None = None
    byline: str | None = None
    published: str | None = None


def _text(node: Any) -> str:
    """The visible text of an element (what its scripts and styles hold left out)."""
    parts = node.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")
    return " ".join(" ".join(str(p) for p in parts).split())


def _json_ld(tree: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD scripts, nested ones included."""
    for script in tree.iterfind(".//script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
            except ValueError:
                continue
        yield from _objects(data, 0)


def _objects(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _objects(graph, depth + 1)
        main = data.get("mainEntity")
        if isinstance(main, dict | list):
            yield from _objects(main, depth + 1)


def _types(obj: dict[str, Any]) -> str:
    kind = obj.get("@type")
    return " ".join(kind) if isinstance(kind, list) else str(kind or "")


def _meta_tags(tree: Any) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if key and content and content.strip():
            tags.setdefault(key.strip(), []).append(" ".join(content.split()))
    return tags


def person_name(text: str) -> str | None:
    """A byline's name as the page gives it (credentials kept), or None for a
    wire service, a desk, a URL or junk."""
    text = " ".join(unescape(text).split()).strip(" ,;|-–—")
    m = _BY_LINE.match(text)
    if m:
        text = m["names"].strip()
    if not text or len(text) > 80 or "http" in text or "@" in text[1:] or _CODE.search(text):
        return None
    text = text.lstrip("@")
    if _NOT_PERSON.match(text) or not any(c.isalpha() for c in text[:1]):
        return None
    if sum(c.isdigit() for c in text) > 3 or len(text.split()) > 8:
        return None
    return text


def _names(value: Any) -> list[str]:
    """Person names in a JSON-LD author value."""
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict):
            kind = _types(item).lower()
            if kind and "person" not in kind:
                continue
            name = item.get("name")
            if isinstance(name, str):
                out.extend(_split_people(name))
        elif isinstance(item, str):
            out.extend(_split_people(item))
    return out


def _split_people(text: str) -> list[str]:
    """The names in one author value: the whole value when it reads as a
    byline (credentials after a comma kept), else its parts."""
    whole = person_name(text)
    if whole and not _NOT_PERSON.search(text):
        parts = [p for p in re.split(r"\s*;\s*|\s*\|\s*", whole) if p]
        return [p for p in (person_name(p) for p in parts) if p]
    return [n for n in (person_name(p) for p in _SPLIT_NAMES.split(text)) if n]


def join_names(names: list[str]) -> str | None:
    """Names in a byline's order without repeats: "A", "A and B", "A, B and C"."""
    unique: list[str] = []
    for name in names:
        if name.casefold() not in (u.casefold() for u in unique):
            unique.append(name)
    if not unique:
        return None
    if len(unique) == 1:
        return unique[0]
    return ", ".join(unique[:-1]) + " and " + unique[-1]


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def _strip_site(title: str, site_names: list[str]) -> str:
    """A declared title without the site's name before or after a separator."""
    for sep in _SUFFIX_SEPARATORS:
        if sep in title:
            head, _, tail = title.rpartition(sep)
            first, _, rest = title.partition(sep)
            if site_names and any(_similar(tail, s) > 0.6 for s in site_names):
                return head.strip()
            if site_names and any(_similar(first, s) > 0.6 for s in site_names):
                return rest.strip()
            if len(tail.split()) <= 4 and len(head.split()) >= 3:
                return head.strip()
    return title.strip()


def read_meta(tree: Any, url: str | None, crawled: date | None = None) -> PageMeta:
    """Title, byline and date of a parsed page (an lxml tree)."""
    objects = list(_json_ld(tree))
    articles = [o for o in objects if _ARTICLE_TYPES.search(_types(o)) or "headline" in o]
    tags = _meta_tags(tree)
    site_names = [*tags.get("og:site_name", []), *tags.get("application-name", [])]
    site_names += [
        str(o["name"])
        for o in objects
        if _types(o).lower() in ("website", "organization", "newsmediaorganization")
        and isinstance(o.get("name"), str)
    ]

    # --- title ---------------------------------------------------------------
    h1s = [_text(h) for h in tree.iterfind(".//h1")]
    h1s = [h for h in h1s if 2 <= len(h.split()) <= 40]
    declared: list[str] = []
    for obj in articles:
        headline = obj.get("headline") or obj.get("name")
        if isinstance(headline, str) and headline.strip():
            declared.append(" ".join(headline.split()))
    for key in _TITLE_META:
        declared += tags.get(key, [])
    title_el = tree.find(".//title")
    if title_el is not None and _text(title_el):
        declared.append(_text(title_el))
    declared = [_strip_site(t, site_names) for t in declared]
    title = None
    for h1 in h1s:
        if any(_similar(h1, d) >= 0.6 or h1.casefold() in d.casefold() for d in declared):
            title = h1
            break
    if title is None and declared:
        title = declared[0]
    if title is None and h1s:
        title = h1s[0]

    # --- byline --------------------------------------------------------------
    people: list[str] = []
    for obj in articles:
        if "author" in obj:
            people += _names(obj["author"])
        if people:
            break
    if not people:
        for key in _AUTHOR_META:
            for value in tags.get(key, []):
                people += _split_people(value)
            if people:
                break
    if not people:
        for node in tree.iterfind(".//*[@rel='author']"):
            people += _split_people(_text(node))
        for node in tree.xpath(
            ".//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')"
            " or contains(@class, 'author-name') or @itemprop='author']"
        ):
            people += _split_people(_text(node))
            if people:
                break
    byline = join_names(people[:6])

    # --- date ----------------------------------------------------------------
    published = None
    candidates: list[str] = []
    for obj in articles:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            declared_date = obj.get(key)
            if isinstance(declared_date, str):
                candidates.append(declared_date)
    for key in _DATE_META:
        candidates += tags.get(key, [])
    for node in tree.iterfind(".//time"):
        value = node.get("datetime") or _text(node)
        if value:
            candidates.append(value)
    for value in candidates:
        published = parse_date(value, crawled)
        if published:
            break
    if published is None:
        published = url_date(url, crawled)
    if published is None:
        for value in tags.get("article:modified_time", []) + tags.get("og:updated_time", []):
            published = parse_date(value, crawled)
            if published:
                break
    return PageMeta(title=title, byline=byline, published=published)
