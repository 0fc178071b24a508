"""Text normalisation shared by the stages: words, shingles, sentences, hashes."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
# A sentence ends at . ! ? (or their CJK forms) followed by space and an upper-case
# letter, digit or opening quote; abbreviations like "U.S." rarely meet that rule.
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+(?=[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ\u0400-\u042F])"
    r"|(?<=[。！？])"
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Sen|Rep|Gov|Gen|Lt|Col|No|vs|Jr|Sr)|(?<![\w.])[A-Z])\.$"
)


def normalise(text: str) -> str:
    """Case-folded, NFKC, whitespace-collapsed text: the form hashes are taken of."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def content_hash(text: str) -> str:
    """A stable hash of the normalised text: equal for exact copies."""
    return hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,]*\d|\d", re.UNICODE)
_CLAUSE = re.compile(r"(?<=[.!?:;\"“”])\s+|\n+")


def names_and_content(text: str) -> tuple[list[str], list[str]]:
    """Split a text's words into names (who, where: capitalised words not at the
    start of a sentence, and numbers) and content words (what happened: the
    lower-case words of three letters or more), both case-folded.

    A capitalised word at the start of a sentence could be either and is left out.
    """
    names: list[str] = []
    content: list[str] = []
    for clause in _CLAUSE.split(text):
        for position, token in enumerate(_TOKEN.findall(clause)):
            if token[0].isdigit():
                names.append(token)
            elif token[0].isupper():
                if position > 0:
                    names.append(token.casefold())
            elif len(token) >= 3:
                content.append(token.casefold())
    return names, content


def shingles(text: str, size: int = 3) -> set[str]:
    """Word ``size``-grams of the normalised text (the whole text if shorter)."""
    tokens = words(text)
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def sentences(text: str) -> list[str]:
    """Split a body into sentences: paragraphs first, then sentence ends inside them."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        pending = ""
        for piece in _SENTENCE_END.split(paragraph):
            piece = piece.strip()
            if not piece:
                continue
            pending = f"{pending} {piece}".strip() if pending else piece
            if _ABBREVIATION.search(pending):
                continue
            out.append(pending)
            pending = ""
        if pending:
            out.append(pending)
    return out


def stable_id(*parts: str | None) -> str:
    """A short stable id from the given parts (used when an input has no id)."""
    digest = hashlib.sha1("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()
    return digest[:16]
