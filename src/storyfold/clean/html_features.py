"""Candidate lines of an HTML page and their features, for the learned HTML line pass.

trafilatura's body keeps lines a reader would not call the article (captions,
related links, bylines, prompts, bios, disclaimers) and misses some that are
(a lead in its own block, a list it judged a menu).  The learned pass
(:mod:`storyfold.clean.html`) therefore judges more than trafilatura's lines:

- the candidates are trafilatura's lines and the page's visible lines (one
  block a line) that trafilatura's lines do not cover, in page order
  (:func:`candidate_lines`);
- each candidate gets the plain-text features of :mod:`storyfold.clean.features`
  (read as the rules read the candidates), where it sits in the page
  (:class:`PageText`: the share of it inside links, the tags around it, words
  of its ancestors' ``class`` and ``id``, how much of trafilatura's text its
  containers hold), and whether trafilatura, and trafilatura with
  ``favor_recall``, kept it (:func:`html_line_features`).

A line is located in the page by its characters with whitespace and table
bars dropped (trafilatura's ``- `` list markers too), searched forward from the
previous line, then anywhere; a long line not found whole is searched by its
first 40 characters.  Every column is named in :data:`HTML_FEATURES`; changing
one means re-running ``scripts/train_html_line_classifier.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from storyfold.clean import rules
from storyfold.clean.features import FEATURES, line_features
from storyfold.clean.rules import Line
from storyfold.clean.text import rule_verdicts

_INVISIBLE = frozenset(
    ["script", "style", "noscript", "template", "svg", "iframe", "head", "select", "option"]
)
# Tags a line may sit in, grouped as the features read them.
_TAG_GROUPS = {
    "a": "a",
    "figcaption": "caption",
    "figure": "figure",
    "aside": "aside",
    "nav": "nav",
    "footer": "footer",
    "header": "header",
    **{f"h{level}": "h" for level in range(1, 7)},
    "li": "li",
    "ul": "list",
    "ol": "list",
    "blockquote": "blockquote",
    "table": "table",
    "form": "form",
    "button": "button",
    "label": "label",
    "time": "time",
    "address": "address",
    "p": "p",
    "article": "article",
    "main": "main",
    "strong": "emph",
    "b": "emph",
    "em": "emph",
    "i": "emph",
    "small": "small",
    "cite": "cite",
}
# Words in the class and id of a line's ancestors (lower case, as substrings).
_CLASS_WORDS = {
    "related": r"related|recommend|more-?stories|also|read-?more|trending|popular|most-",
    "promo": r"promo|teaser|card|tile|cta|banner",
    "newsletter": r"newsletter|subscri|signup|sign-up|register|paywall|membership",
    "caption": r"caption|credit|photo|image|img|media|gallery|figure",
    "share": r"share|social|follow|facebook|twitter",
    "byline": r"byline|author|writer|contributor|bio",
    "meta": r"meta|date|time|timestamp|dateline|info",
    "tag": r"tags?\b|topic|categor|keyword|label",
    "footer": r"foot|copyright|legal|disclaimer|notice",
    "sidebar": r"side|rail|aside|widget|column",
    "comment": r"comment|reply|respon|discuss",
    "ad": r"\bads?\b|advert|sponsor|dfp|-ad-|_ad_|outbrain|taboola",
    "nav": r"nav|menu|breadcrumb|header|masthead|pagination|pager",
    "title": r"title|headline|heading|hed\b",
    "dek": r"summary|dek|standfirst|excerpt|lede|intro|subtitle|subhead|description",
    "body": r"article|content|body|entry|post|story|text|prose|main",
    "embed": r"embed|video|player|audio|podcast|instagram",
    "hidden": r"hidden|sr-only|screen-reader|offscreen",
}
_CLASS_RES = {name: re.compile(pattern) for name, pattern in _CLASS_WORDS.items()}
_BITS = (*sorted(set(_TAG_GROUPS.values())), *(f"class_{name}" for name in _CLASS_WORDS))
_BIT = {name: 1 << i for i, name in enumerate(_BITS)}
# Block elements: a line's container is the parent of the innermost one around it.
_BLOCK_TAGS = frozenset(
    """p div li h1 h2 h3 h4 h5 h6 td th tr blockquote figure figcaption section article
    header footer aside nav ul ol dl dd dt table pre main form address""".split()  # noqa: SIM905
)
_MARKER = re.compile(r"^(?:[-*•] |\d+\. )")
# A line not found whole is looked for by its first this many characters.
_PREFIX = 40
# The main container is the deepest element holding this share of the
# characters trafilatura kept.
_MAIN_SHARE = 0.6
_LEVELS = 4

_DOM = (
    "dom_found",
    "dom_link_share",
    *(f"dom_{bit}" for bit in _BITS),
    "dom_log_depth",
    "dom_main",
    *(f"dom_mass{level}" for level in range(1, _LEVELS + 1)),
    "dom_same_prev",
    "dom_same_next",
)
_KEPT = (
    "trafilatura_cover",
    "recall_cover",
    "in_trafilatura",
    "in_trafilatura@-1",
    "in_trafilatura@+1",
    "in_trafilatura@-2",
    "in_trafilatura@+2",
    "in_trafilatura_window3",
    "in_trafilatura_window10",
)
HTML_FEATURES: tuple[str, ...] = (*FEATURES, *_DOM, *_KEPT)
"""The columns of :func:`html_line_features`, in order."""

_COL = {name: i for i, name in enumerate(HTML_FEATURES)}
_DOM_START = len(FEATURES)
_BITS_START = _COL[f"dom_{_BITS[0]}"]
_LINK_BIT = _BITS.index("a")


@dataclass(frozen=True, slots=True)
class PageText:
    """The visible characters of a page (whitespace and ``|`` dropped), in
    segments (one per text node) that know where they sit."""

    text: str
    starts: npt.NDArray[np.int64]
    """Start of each segment in ``text``, then the end of the text."""
    bits: npt.NDArray[np.float32]
    """(segments, tag and class groups): 1 where an ancestor is of the group."""
    depths: list[int]
    paths: list[tuple[Any, ...]]
    """The elements from the body down to each segment's node."""


def read_page(tree: Any) -> PageText:
    """Walk a parsed page once and keep its visible text with each segment's context."""
    import lxml.etree

    body = tree.find(".//body")
    root = body if body is not None else tree
    chunks: list[str] = []
    starts: list[int] = []
    bits: list[int] = []
    paths: list[tuple[Any, ...]] = []
    position = 0
    stack_bits = [0]
    stack: list[Any] = []
    hidden = 0
    known: dict[tuple[str, str], int] = {}  # a page repeats its tags and classes

    def add(text: str) -> None:
        nonlocal position
        chunk = "".join(text.split()).replace("|", "")
        if chunk:
            chunks.append(chunk)
            starts.append(position)
            bits.append(stack_bits[-1])
            paths.append(tuple(stack))
            position += len(chunk)

    for event, node in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if hidden or not tag or tag in _INVISIBLE:
                hidden += 1
                continue
            attributes = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
            own = known.get((tag, attributes))
            if own is None:
                own = known[tag, attributes] = _own_bits(tag, attributes)
            stack_bits.append(stack_bits[-1] | own)
            stack.append(node)
            if node.text:
                add(node.text)
            continue
        if hidden:
            hidden -= 1
            if hidden == 0 and node.tail and node is not root:
                add(node.tail)
            continue
        stack_bits.pop()
        stack.pop()
        if node.tail and node is not root:
            add(node.tail)
    matrix = ((np.array(bits, dtype=np.int64)[:, None] >> np.arange(len(_BITS))) & 1).astype(
        np.float32
    )
    return PageText(
        "".join(chunks),
        np.array([*starts, position], dtype=np.int64),
        matrix.reshape(len(bits), len(_BITS)),
        [len(path) for path in paths],
        paths,
    )


def _own_bits(tag: str, attributes: str) -> int:
    bits = _BIT.get(_TAG_GROUPS.get(tag, ""), 0)
    if attributes.strip():
        for name, pattern in _CLASS_RES.items():
            if pattern.search(attributes):
                bits |= _BIT[f"class_{name}"]
    return bits


def locate(page: PageText, lines: Sequence[str]) -> list[tuple[int, int] | None]:
    """Where each line is in ``page.text`` (start, end), or None (see the module docstring)."""
    text = page.text
    cursor = 0
    spans: list[tuple[int, int] | None] = []
    for line in lines:
        key = "".join(_MARKER.sub("", line).split()).replace("|", "")
        at = text.find(key, cursor) if key else -1
        if at < 0 and key:
            at = text.find(key)
        if at < 0 and len(key) > _PREFIX:
            key = key[:_PREFIX]
            at = text.find(key, cursor)
            if at < 0:
                at = text.find(key)
        if at < 0:
            spans.append(None)
            continue
        cursor = at + len(key)
        spans.append((at, at + len(key)))
    return spans


def _covered(page: PageText, lines: Sequence[str]) -> npt.NDArray[np.int64]:
    """Cumulative count of the characters of ``page.text`` that ``lines`` cover."""
    edges = np.zeros(len(page.text) + 1, dtype=np.int64)
    for span in locate(page, lines):
        if span is not None:
            edges[span[0]] += 1
            edges[span[1]] -= 1
    inside = np.cumsum(edges)[:-1] > 0
    return np.concatenate(([0], np.cumsum(inside)))


def _share(covered: npt.NDArray[np.int64], span: tuple[int, int] | None) -> float:
    if span is None or span[1] <= span[0]:
        return 0.0
    return float(covered[span[1]] - covered[span[0]]) / (span[1] - span[0])


def candidate_lines(
    page: PageText, kept: Sequence[str], visible: Sequence[str]
) -> tuple[list[str], list[bool]]:
    """trafilatura's lines (``kept``) and the visible lines they leave out, in page order.

    A visible line is left out when under half of its characters are in
    ``kept``.  Returns the lines and, for each, whether trafilatura kept it.
    """
    covered = _covered(page, kept)
    units: list[tuple[int, int, str, bool]] = []
    last = -1
    for line, span in zip(kept, locate(page, kept), strict=True):
        # A line not found keeps its place after the one before it.
        at = span[0] if span is not None else last
        last = max(last, at)
        units.append((at, 0, line, True))
    for line, span in zip(visible, locate(page, visible), strict=True):
        if span is not None and span[1] > span[0] and _share(covered, span) < 0.5:
            units.append((span[0], 1, line, False))
    units.sort(key=lambda unit: (unit[0], unit[1]))
    return [unit[2] for unit in units], [unit[3] for unit in units]


def read_lines(texts: Sequence[str]) -> tuple[list[Line], str | None]:
    """The candidates as the rules read them, each keeping its own text.

    A table row of trafilatura's (``| cell | cell |``) loses its outer bars:
    the rules read bars as a menu's separators, and a paragraph laid out in a
    one-cell row is prose.  The rules' page pass (title, byline, comments, ...)
    may cut or drop parts of a line; its verdicts are matched back to the
    candidates in order, and a candidate it does not match gets the verdict of
    the line rules alone.
    """
    texts = [_unbarred(text) for text in texts]
    verdicts = rule_verdicts("\n".join(texts))
    reasons: list[str | None] = [None] * len(texts)
    matched = [False] * len(texts)
    i = 0
    for line in verdicts.lines:
        for j in range(i, min(i + 3, len(texts))):
            if line.text in texts[j]:
                reasons[j], matched[j] = line.reason, True
                i = j + 1
                break
    lines = [Line(text) for text in texts]
    for line, reason, found in zip(lines, reasons, matched, strict=True):
        line.reason = reason if found else rules.line_reason(line)
    return lines, verdicts.title


def _unbarred(text: str) -> str:
    if text.startswith("| ") and text.endswith(" |") and len(text) > 4:
        return text[2:-2].strip() or text
    return text


def html_line_features(
    page: PageText,
    lines: Sequence[Line],
    title: str | None,
    in_kept: Sequence[bool],
    kept: Sequence[str],
    recall: Sequence[str],
) -> npt.NDArray[np.float32]:
    """The feature matrix of the candidate lines (one row per line, :data:`HTML_FEATURES`).

    ``kept`` and ``recall`` are trafilatura's lines by default and with
    ``favor_recall``; ``in_kept`` says which candidates are trafilatura's.
    """
    n = len(lines)
    x = np.zeros((n, len(HTML_FEATURES)), dtype=np.float32)
    if n == 0:
        return x
    x[:, :_DOM_START] = line_features(lines, title)
    texts = [line.text for line in lines]
    spans = locate(page, texts)
    covered = _covered(page, kept)
    cover = np.array([_share(covered, span) for span in spans], dtype=np.float32)
    covered = _covered(page, recall)
    x[:, _COL["recall_cover"]] = [_share(covered, span) for span in spans]
    x[:, _COL["trafilatura_cover"]] = cover
    _place(page, spans, cover, x)
    kept_flag = np.array(in_kept, dtype=np.float32)
    x[:, _COL["in_trafilatura"]] = kept_flag
    for offset in (-1, 1, -2, 2):
        column = _COL[f"in_trafilatura@{offset:+d}"]
        if offset < 0 and -offset < n:
            x[-offset:, column] = kept_flag[:offset]
        elif 0 < offset < n:
            x[:-offset, column] = kept_flag[offset:]
    x[:, _COL["in_trafilatura_window3"]] = _window_mean(kept_flag, 3)
    x[:, _COL["in_trafilatura_window10"]] = _window_mean(kept_flag, 10)
    return x


def _place(
    page: PageText,
    spans: list[tuple[int, int] | None],
    cover: npt.NDArray[np.float32],
    x: npt.NDArray[np.float32],
) -> None:
    """The DOM columns: the tags and classes around each line, and its containers' weight."""
    starts = page.starts
    first_segment: list[int | None] = []
    for i, span in enumerate(spans):
        if span is None or span[1] <= span[0]:
            first_segment.append(None)
            continue
        lo = int(np.searchsorted(starts, span[0], side="right")) - 1
        hi = int(np.searchsorted(starts, span[1], side="left"))
        overlap = np.minimum(starts[lo + 1 : hi + 1], span[1]) - np.maximum(starts[lo:hi], span[0])
        share = (overlap.astype(np.float32) / (span[1] - span[0])) @ page.bits[lo:hi]
        x[i, _COL["dom_found"]] = 1.0
        x[i, _BITS_START : _BITS_START + len(_BITS)] = share
        x[i, _COL["dom_link_share"]] = share[_LINK_BIT]
        x[i, _COL["dom_log_depth"]] = math.log1p(min(page.depths[lo:hi]))
        first_segment.append(lo)
    # How much of trafilatura's text each element holds.
    mass: dict[int, float] = {}
    total = 0.0
    for i, segment in enumerate(first_segment):
        if segment is None:
            continue
        span = spans[i]
        assert span is not None
        weight = (span[1] - span[0]) * float(cover[i])
        total += weight
        for node in page.paths[segment]:
            mass[id(node)] = mass.get(id(node), 0.0) + weight
    if not total:
        return
    main: int | None = None
    main_depth = -1
    parents: list[int | None] = []
    for i, segment in enumerate(first_segment):
        if segment is None:
            parents.append(None)
            continue
        path = page.paths[segment]
        # The elements holding that share nest: the main container is the deepest.
        for depth, node in enumerate(path):
            if depth > main_depth and mass[id(node)] >= _MAIN_SHARE * total:
                main, main_depth = id(node), depth
        block = max(
            (k for k, node in enumerate(path) if str(node.tag).lower() in _BLOCK_TAGS),
            default=len(path) - 1,
        )
        for level in range(1, _LEVELS + 1):
            if block - level >= 0:
                x[i, _COL[f"dom_mass{level}"]] = mass[id(path[block - level])] / total
        parents.append(id(path[block - 1]) if block >= 1 else None)
    for i, parent in enumerate(parents):
        if parent is None:
            continue
        if i > 0 and parents[i - 1] == parent:
            x[i, _COL["dom_same_prev"]] = 1.0
        if i + 1 < len(parents) and parents[i + 1] == parent:
            x[i, _COL["dom_same_next"]] = 1.0
    if main is not None:
        for i, segment in enumerate(first_segment):
            if segment is not None and any(id(node) == main for node in page.paths[segment]):
                x[i, _COL["dom_main"]] = 1.0


def _window_mean(values: npt.NDArray[np.float32], half: int) -> npt.NDArray[np.float32]:
    n = len(values)
    cum = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
    lo = np.clip(np.arange(n) - half, 0, n)
    hi = np.clip(np.arange(n) + half + 1, 0, n)
    mean: npt.NDArray[np.float32] = ((cum[hi] - cum[lo]) / (hi - lo)).astype(np.float32)
    return mean
