"""HTML cleaning: trafilatura finds the body, storyfold checks and completes it.

1. The page is parsed once (lxml); title, byline and date are read from what
   the page declares and shows (:mod:`storyfold.clean.meta`), trafilatura's
   own metadata filling the gaps.
2. trafilatura extracts the body, by default and with ``favor_recall``.
   storyfold's learned line pass then judges trafilatura's lines and the
   page's visible lines trafilatura left out (:mod:`storyfold.clean.html_features`):
   a boosted tree ensemble gives each a probability of being boilerplate from
   its text, where it sits in the page and whether trafilatura kept it, and
   the lines under ``html_line_threshold`` are the body.  (Without the model,
   ``learned=False``, the line rules remove what they know for boilerplate
   from trafilatura's lines: calls to action, newsletter and app prompts,
   legal lines, UI labels, and the headline left at the top.)
3. Fallbacks when that body is too little (under ``html_min_body_words``):
   trafilatura's ``favor_recall`` body through the line rules, and the
   plain-text cleaner over the page's visible text, one block a line; the
   longest answer wins.
4. Bad pages never raise: too large, unparsable, without text or with script
   only, they give an empty body and a removed span saying why.

The model was trained on the HTML dev pages of ``shared/data/pages``
(scrapinghub and WCXB dev articles) by ``scripts/train_html_line_classifier.py``,
which reports its cross-validated F1 (5 folds grouped by site).  Measured
against trafilatura alone in the same run: ``bench/clean.py`` (figures in
docs/benchmarks.md).  Inference needs numpy only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storyfold.clean import rules
from storyfold.clean.base import TextCleaner
from storyfold.clean.html_features import (
    HTML_FEATURES,
    candidate_lines,
    html_line_features,
    read_lines,
    read_page,
)
from storyfold.clean.meta import PageMeta, person_name, read_meta
from storyfold.clean.model import TreeEnsemble
from storyfold.clean.rules import Line
from storyfold.config import Settings
from storyfold.records import Cleaned, RemovedSpan

HTML_MODEL_FILE = "html_line_classifier.npz"
_TRAINING_SCRIPT = "scripts/train_html_line_classifier.py"

# Rule verdicts on trafilatura's lines that are boilerplate there too: the
# shares of gold body among such lines on the dev pages are small (bench/clean.py).
_HTML_SURE = frozenset(
    {
        "advertisement",
        "app-prompt",
        "call-to-action",
        "newsletter-prompt",
        "legal",
        "ui-control",
        "video-label",
    }
)
_ENCODING_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_BLOCKS = frozenset(
    """p div h1 h2 h3 h4 h5 h6 li td th tr br section article header footer aside nav
    blockquote pre figcaption figure dt dd ul ol table form main title""".split()  # noqa: SIM905
)
_INVISIBLE = frozenset(["script", "style", "noscript", "template", "svg", "iframe", "head"])


@lru_cache(maxsize=4)
def load_html_line_model(path: str | None = None) -> TreeEnsemble:
    """The shipped HTML line classifier (or the one at ``path``), loaded once."""
    if path is None:
        with resources.as_file(resources.files("storyfold") / "data" / HTML_MODEL_FILE) as file:
            return TreeEnsemble.load(file, HTML_FEATURES, _TRAINING_SCRIPT)
    return TreeEnsemble.load(Path(path), HTML_FEATURES, _TRAINING_SCRIPT)


class TrafilaturaCleaner:
    """The default HTML cleaner, built on trafilatura.

    ``line_model`` is the HTML line classifier (the shipped one by default);
    ``learned=False`` replaces it by the line rules, ``own_pass=False`` keeps
    trafilatura's body as it is; ``fallbacks=False`` never looks further.
    """

    def __init__(
        self,
        text_cleaner: TextCleaner | None = None,
        settings: Settings | None = None,
        *,
        line_model: TreeEnsemble | None = None,
        learned: bool = True,
        own_pass: bool = True,
        fallbacks: bool = True,
    ) -> None:
        self._text_cleaner = text_cleaner
        self._settings = settings or Settings()
        self._own_pass = own_pass
        self._fallbacks = fallbacks
        self._line_model: TreeEnsemble | None = None
        if own_pass and learned:
            self._line_model = line_model or load_html_line_model()

    def clean(self, html: str, url: str | None = None, crawled: date | None = None) -> Cleaned:
        size = len(html.encode("utf-8", errors="replace"))
        if size > self._settings.max_input_bytes:
            mb, limit = size / 2**20, self._settings.max_input_bytes / 2**20
            return _empty(f"html-too-large: {mb:.1f} MB over the {limit:.0f} MB limit")
        tree = _parse(html)
        if tree is None:
            return _empty("unreadable-html: no element could be parsed")
        try:
            meta = read_meta(tree, url, crawled)
        except (ValueError, TypeError, AttributeError):
            meta = PageMeta()
        doc = _extract(tree, url, favor_recall=False)
        recall_doc: Any = None
        if self._line_model is not None:
            recall_doc = _extract(tree, url, favor_recall=True)
            body, removed = self._learned(tree, doc, recall_doc, meta)
        else:
            body, removed = self._checked(doc, meta)
        if self._fallbacks:
            # The favor_recall document has no metadata: the default one's title serves.
            checks = replace(meta, title=meta.title or _doc_field(doc, "title"))
            body, removed = self._fallback(tree, url, checks, body, removed, recall_doc)
        if not body.strip():
            return _empty("no-article-body-found", meta)
        title = meta.title or _doc_field(doc, "title")
        byline = meta.byline or _doc_person(doc)
        published = meta.published or _doc_date(doc, crawled)
        return Cleaned(
            body=body,
            title=title,
            byline=byline,
            published=published,
            removed=tuple(removed),
        )

    def _fallback(
        self,
        tree: Any,
        url: str | None,
        meta: PageMeta,
        body: str,
        removed: list[RemovedSpan],
        recall_doc: Any = None,
    ) -> tuple[str, list[RemovedSpan]]:
        """trafilatura's body, or the longest of the fallbacks when it is under
        ``html_min_body_words``: trafilatura with ``favor_recall``, and the line
        classifier over the page's visible text.

        (Replacing a longer trafilatura body by the classifier's when that is
        much longer and holds trafilatura's did not pay on the dev pages: +0.003
        F1 on WCXB, -0.004 to -0.017 on scrapinghub; bench/clean.py.)
        """
        if rules.count_words(body) >= self._settings.html_min_body_words:
            return body, removed
        if recall_doc is None:
            recall_doc = _extract(tree, url, favor_recall=True)
        options = [(body, removed), self._checked(recall_doc, meta)]
        if self._text_cleaner is not None:
            page_text = visible_text(tree)
            if page_text:
                alternative = self._text_cleaner.clean(page_text)
                reason = "html fallback: line classifier over the page's visible text"
                options.append((alternative.body, [*alternative.removed, RemovedSpan("", reason)]))
        return max(options, key=lambda option: rules.count_words(option[0]))

    def _learned(
        self, tree: Any, doc: Any, recall_doc: Any, meta: PageMeta
    ) -> tuple[str, list[RemovedSpan]]:
        """The body the HTML line classifier leaves of trafilatura's lines and
        the visible lines it left out (see the module docstring)."""
        assert self._line_model is not None
        found = _candidates(tree, doc, recall_doc, meta)
        if not found.lines:
            return "", []
        probability = self._line_model.probability(found.x).tolist()
        threshold = self._settings.html_line_threshold
        body: list[str] = []
        removed: list[RemovedSpan] = []
        for line, was_kept, p in zip(found.lines, found.in_kept, probability, strict=True):
            if p < threshold:
                body.append(line.text)
            elif was_kept:  # only trafilatura's lines were ever in a body
                rule = f", rules say {line.reason}" if line.reason else ""
                removed.append(
                    RemovedSpan(line.text, f"html line classifier: p(boilerplate)={p:.2f}{rule}")
                )
        return "\n\n".join(body), removed

    def _checked(self, doc: Any, meta: PageMeta) -> tuple[str, list[RemovedSpan]]:
        """trafilatura's body after storyfold's pass over its lines."""
        text = (_doc_field(doc, "text") or "").strip()
        if not text:
            return "", []
        if not self._own_pass:
            return text, []
        removed: list[RemovedSpan] = []
        kept: list[str] = []
        title = _fold(meta.title or _doc_field(doc, "title") or "")
        for raw in text.splitlines():
            line_text = " ".join(raw.split())
            if not line_text:
                continue
            if not kept and title and _fold(line_text) == title:
                removed.append(RemovedSpan(line_text, "title"))
                continue
            reason = rules.line_reason(rules.Line(line_text))
            if reason in _HTML_SURE:
                removed.append(RemovedSpan(line_text, reason or ""))
            else:
                kept.append(line_text)
        return "\n\n".join(kept), removed


@dataclass(frozen=True, slots=True)
class LineCandidates:
    """The candidate lines of a page in page order, whether trafilatura kept
    each, and their feature matrix (:data:`HTML_FEATURES`)."""

    lines: list[Line]
    in_kept: list[bool]
    x: npt.NDArray[np.float32]


def line_candidates(html: str, url: str | None = None) -> LineCandidates | None:
    """The lines the learned pass judges on a page, with their features
    (for training and inspection); None when the page cannot be read."""
    tree = _parse(html)
    if tree is None:
        return None
    try:
        meta = read_meta(tree, url, None)
    except (ValueError, TypeError, AttributeError):
        meta = PageMeta()
    doc = _extract(tree, url, favor_recall=False)
    return _candidates(tree, doc, _extract(tree, url, favor_recall=True), meta)


def _candidates(tree: Any, doc: Any, recall_doc: Any, meta: PageMeta) -> LineCandidates:
    kept = _lines(_doc_field(doc, "text"))
    page = read_page(tree)
    texts, in_kept = candidate_lines(page, kept, visible_text(tree).splitlines())
    lines, rule_title = read_lines(texts)
    title = meta.title or _doc_field(doc, "title") or rule_title
    recall = _lines(_doc_field(recall_doc, "text"))
    return LineCandidates(
        lines, in_kept, html_line_features(page, lines, title, in_kept, kept, recall)
    )


def _lines(text: str | None) -> list[str]:
    """The non-empty lines of a text, whitespace normalised."""
    lines = (" ".join(raw.split()) for raw in (text or "").splitlines())
    return [line for line in lines if line]


def _empty(reason: str, meta: PageMeta | None = None) -> Cleaned:
    meta = meta or PageMeta()
    return replace(
        Cleaned(body="", removed=(RemovedSpan("", reason),)),
        title=meta.title,
        byline=meta.byline,
        published=meta.published,
    )


def _parse(html: str) -> Any:
    """The page as an lxml tree, or None.  An XML or charset declaration in a
    decoded string is dropped (lxml refuses it, and the text is already decoded).

    Comments and processing instructions are dropped as trafilatura's own
    parser drops them: left in the tree, they cost trafilatura body text on
    some pages (scrapinghub dev pages: recall 0.972 with them, 0.978 without,
    as from the HTML string; bench/clean.py).
    """
    import lxml.etree
    import lxml.html

    text = _ENCODING_DECL.sub("", html, count=1).replace("\x00", "")
    if not text.strip():
        return None
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        tree = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        try:
            tree = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
        except (lxml.etree.ParserError, ValueError):
            return None
    return tree


def _extract(tree: Any, url: str | None, *, favor_recall: bool) -> Any:
    """trafilatura's document.  Its metadata (title, author, date) is read from
    the default extraction only: the ``favor_recall`` one serves for its text,
    which is the same without metadata (checked on every fourth dev page), and
    the metadata is most of trafilatura's time (dateparser)."""
    import copy

    import trafilatura

    try:
        return trafilatura.bare_extraction(
            copy.deepcopy(tree),
            url=url,
            with_metadata=not favor_recall,
            include_comments=False,
            favor_recall=favor_recall,
        )
    except Exception:  # trafilatura raises many kinds on broken markup
        return None


def _doc_field(doc: Any, name: str) -> str | None:
    value = getattr(doc, name, None) if doc is not None else None
    return value if isinstance(value, str) and value.strip() else None


def _doc_person(doc: Any) -> str | None:
    """trafilatura's author (parts joined with "; "), when it names people."""
    author = _doc_field(doc, "author")
    return person_name(author.replace("; ", ", ")) if author else None


def _doc_date(doc: Any, crawled: date | None) -> str | None:
    from storyfold.clean.dates import parse_date

    value = _doc_field(doc, "date")
    return parse_date(value, crawled) if value else None


def visible_text(tree: Any) -> str:
    """The text a reader sees on the page, one block a line (as a copy-paste gives it)."""
    import lxml.etree

    body = tree.find(".//body")
    root = body if body is not None else tree
    parts: list[str] = []
    hidden = 0  # depth inside an invisible element (script, style, comment, ...)
    for event, node in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if hidden or not tag or tag in _INVISIBLE:
                hidden += 1
                continue
            if tag in _BLOCKS:
                parts.append("\n")
            if node.text:
                parts.append(node.text)
            continue
        if hidden:
            hidden -= 1
            if hidden == 0 and node.tail and node is not root:
                parts.append(node.tail)
            continue
        if tag in _BLOCKS:
            parts.append("\n")
        if node.tail and node is not root:
            parts.append(node.tail)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())
