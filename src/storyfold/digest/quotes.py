"""Direct quotations and who said them.

A quotation is found by its marks (“…”, "…", ‘…’, '…'), may run over
paragraphs, and must be long enough to be a statement rather than a quoted
term (``_MIN_WORDS``).  Its speaker is the subject of the nearest attribution
verb (``said``, ``told``, ``argued``, ``according to`` …) around it in the
same paragraph, read from spaCy's dependency parse; a pronoun is the last
named speaker or person before it; ``the statement`` is the body that issued
it (``a statement from Russia’s foreign ministry``); a quotation with no
attribution that opens a paragraph continues the previous speaker's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Shorter quoted spans are terms and labels ("illegal", "no limits", "satellites").
# Five words keeps "completely detached from any realities" out; checked on the
# seeds and 30 ECB+ dev articles (docs/digest.md).
_MIN_WORDS = 6
# A quotation longer than this has lost its closing mark: dropped.
_MAX_CHARS = 3000

_OPEN_DOUBLE, _CLOSE_DOUBLE = '“"', '”"'
_OPEN_SINGLE, _CLOSE_SINGLE = "‘'", "’'"
_BEFORE_OPEN = " \n\t([—–-:"
_AFTER_CLOSE = " \n\t,.;:!?)—–-"

VERBS = frozenset(
    [
        "said",
        "says",
        "say",
        "told",
        "tells",
        "tell",
        "argued",
        "argues",
        "added",
        "adds",
        "stated",
        "states",
        "noted",
        "notes",
        "warned",
        "warns",
        "explained",
        "explains",
        "insisted",
        "insists",
        "wrote",
        "writes",
        "asked",
        "asks",
        "replied",
        "replies",
        "declared",
        "declares",
        "claimed",
        "claims",
        "continued",
        "continues",
        "remarked",
    ]
)
_PRONOUNS = frozenset(["he", "she", "they", "it", "we", "i"])
_ISSUERS = frozenset(["statement", "readout", "communique", "communiqué", "release", "report"])
_ISSUED_BY = re.compile(
    r"(?:statement|readout|communiqu[eé]|release)\s+(?:from|by|of)\s+(?:the\s+)?"
    r"([A-Z][\w’'.-]*(?:\s+[\w’'.-]+){0,4}?)\s+(?:said|says|stated|noted|read)",
)
_NAMED_ISSUE = re.compile(
    r"(?:a|an|the)\s+([A-Z][\w’'-]*(?:\s+[a-z][\w-]*){0,3})\s+(?:statement|readout)"
)


@dataclass(frozen=True, slots=True)
class Span:
    """A quotation's text and its offsets (marks excluded) in the body."""

    text: str
    start: int
    end: int


def _is_open(text: str, i: int, marks: str) -> bool:
    """An opening mark: after a space or bracket; a straight one before a word.

    Curly marks may have a space inside them (``“ I hear``: tokenised text)."""
    nxt = text[i + 1] if i + 1 < len(text) else " "
    straight = text[i] in "\"'"
    return (
        text[i] in marks
        and (i == 0 or text[i - 1] in _BEFORE_OPEN)
        and not (straight and nxt.isspace())
    )


def _is_close(text: str, i: int, marks: str) -> bool:
    """A closing mark: before a space, punctuation or the end of the text."""
    nxt = text[i + 1] if i + 1 < len(text) else " "
    return text[i] in marks and nxt in _AFTER_CLOSE and i > 0


def find_spans(body: str) -> list[Span]:
    """Every quoted span of at least ``_MIN_WORDS`` words, in order."""
    spans: list[Span] = []
    i = 0
    while i < len(body):
        for opens, closes in ((_OPEN_DOUBLE, _CLOSE_DOUBLE), (_OPEN_SINGLE, _CLOSE_SINGLE)):
            if _is_open(body, i, opens):
                end = _closing(body, i + 1, closes, opens)
                if end is not None:
                    inner = body[i + 1 : end]
                    text = " ".join(inner.replace("“", "").split()).strip(" ,")
                    if len(text.split()) >= _MIN_WORDS:
                        spans.append(Span(text, i + 1, end))
                    i = end
                break
        i += 1
    return spans


def _closing(body: str, start: int, closes: str, opens: str) -> int | None:
    limit = min(len(body), start + _MAX_CHARS)
    for j in range(start, limit):
        if body[j] == "\n" and closes[0] == "’" and body[j : j + 2] == "\n\n":
            return None  # single quotes do not run over paragraphs: apostrophes would
        if _is_close(body, j, closes) and not (body[j] in opens and _is_open(body, j, opens)):
            return j
        if body[j] == '"' and body[:j].rstrip()[-1:] in (",", ".", "!", "?"):
            return j  # tokenised text: `right now, "Heller argued`
    return None


@dataclass(frozen=True, slots=True)
class Found:
    """A quotation in one article and its speaker as the article names them."""

    text: str
    speaker: str
    person: bool


def _paragraph_bounds(body: str, start: int, end: int) -> tuple[int, int]:
    left = body.rfind("\n", 0, start)
    right = body.find("\n", end)
    return left + 1, len(body) if right < 0 else right


def _subject(verb: Any) -> Any:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return child
    if verb.head is not verb and verb.dep_ in ("conj", "advcl", "relcl"):
        return _subject(verb.head)
    return None


def _name_of(token: Any) -> tuple[str, bool]:
    """The name a subject token stands for, and whether it is a person."""
    for ent in token.doc.ents:
        if ent.start <= token.i < ent.end:
            return ent.text, ent.label_ == "PERSON"
    parts = [t for t in token.subtree if t.i <= token.i and t.dep_ in ("compound", "amod", "poss")]
    first = min([t.i for t in parts] + [token.i])
    return token.doc[first : token.i + 1].text, False


class _Article:
    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.text: str = doc.text
        self.speakers: list[tuple[int, str, bool]] = []  # (offset, speaker, person)

    def tokens(self, start: int, end: int) -> list[Any]:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        return list(span) if span is not None else []

    def attribution(self, start: int, end: int, spans: list[Span]) -> tuple[str, bool] | None:
        """The speaker named around [start, end) in its paragraph, outside quotes."""
        left, right = _paragraph_bounds(self.text, start, end)
        prev_end = max([s.end + 1 for s in spans if left <= s.end < start] + [left])
        next_start = min([s.start - 1 for s in spans if end < s.start <= right] + [right])
        after = [t for t in self.tokens(end + 1, next_start)][:12]
        before = [t for t in self.tokens(prev_end, start - 1)]
        for token in [*after, *reversed(before)]:
            found = self._speaker_at(token, start)
            if found is not None:
                return found
        return None

    def _speaker_at(self, token: Any, quote_start: int) -> tuple[str, bool] | None:
        if token.lower_ == "according" and token.i + 2 < len(self.doc):
            target = self.doc[token.i + 2]
            if self.doc[token.i + 1].lower_ == "to":
                while target.dep_ in ("det", "amod", "compound") and target.head.i > target.i:
                    target = target.head
                return self._resolve(target, quote_start)
            return None
        if token.lower_ not in VERBS or token.pos_ not in ("VERB", "AUX"):
            return None
        subject = _subject(token)
        if subject is None:  # "…," said Ron Howard, the director of …: parsed loosely
            # the nearest person just after the verb, else a body right after it
            after = [e for e in self.doc.ents if token.i < e.start <= token.i + 6]
            people = [e for e in after if e.label_ == "PERSON"]
            if people:
                return people[0].text, True
            if after and after[0].label_ == "ORG" and after[0].start <= token.i + 2:
                return after[0].text, False
            return None
        return self._resolve(subject, quote_start)

    def _last_person(self, quote_start: int) -> tuple[str, bool] | None:
        """What ``he said`` stands for: the speaker of a quotation in this or the
        paragraph before, else the nearest person named before it."""
        left, _ = _paragraph_bounds(self.text, quote_start, quote_start)
        previous_paragraph = self.text.rfind("\n\n", 0, max(left - 2, 0))
        for offset, name, person in reversed(self.speakers):
            if person and offset >= previous_paragraph:
                return name, person
        people = [e for e in self.doc.ents if e.label_ == "PERSON" and e.end_char <= quote_start]
        return (people[-1].text, True) if people else None

    def _last_body(self, quote_start: int) -> tuple[str, bool] | None:
        """What ``it said`` stands for: the last body named as saying something."""
        return _last_body_impl(self, quote_start)

    def _resolve(self, subject: Any, quote_start: int) -> tuple[str, bool] | None:
        word = subject.lower_
        if word in _PRONOUNS:
            if word not in ("he", "she"):
                return self._last_body(quote_start)
            return self._last_person(quote_start)
        if word in _ISSUERS:
            issuer = issuer_before(self.text, quote_start)
            return (issuer, False) if issuer else None
        return _name_of(subject)


def _last_body_impl(article: _Article, quote_start: int) -> tuple[str, bool] | None:
    verbs = [
        t for t in article.doc if t.lower_ in VERBS and t.idx < quote_start and t.pos_ == "VERB"
    ]
    for verb in reversed(verbs[-3:]):
        subject = _subject(verb)
        if subject is not None and subject.lower_ not in _PRONOUNS:
            name, person = (
                (issuer_before(article.text, quote_start) or "", False)
                if subject.lower_ in _ISSUERS
                else _name_of(subject)
            )
            if name and not person:
                return name, person
    return None


def issuer_before(text: str, offset: int) -> str | None:
    """The body whose statement is quoted: the last one named before ``offset``."""
    head = text[:offset]
    matches = [*_ISSUED_BY.finditer(head), *_NAMED_ISSUE.finditer(head)]
    if not matches:
        return None
    return max(matches, key=lambda m: m.start()).group(1)


def quotes_in(doc: Any) -> list[Found]:
    """Every attributed quotation in one parsed article body."""
    article = _Article(doc)
    spans = find_spans(article.text)
    found: list[Found] = []
    previous: tuple[str, bool, int] | None = None  # speaker, person, end offset
    for span in spans:
        speaker = article.attribution(span.start, span.end, spans)
        if speaker is None and previous is not None:
            left, _ = _paragraph_bounds(article.text, span.start, span.end)
            opens_paragraph = span.start - left <= 1
            gap = article.text[previous[2] : left]
            if opens_paragraph and gap.count("\n\n") <= 1 and len(gap) < 400:
                speaker = previous[0], previous[1]
        if speaker is None:
            continue
        name, person = speaker
        name = " ".join(name.split())
        if name.lower().startswith(("the ", "a ", "an ")):
            name = name.split(" ", 1)[1]
        article.speakers.append((span.start, name, person))
        found.append(Found(span.text, name, person))
        previous = (name, person, span.end)
    return found
