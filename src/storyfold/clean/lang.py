"""Language identification, offline (py3langid ships its model)."""

from __future__ import annotations

from typing import Any

# Below this many letters a guess is noise: report no language.
_MIN_LETTERS = 20


class LanguageDetector:
    """ISO 639-1 code of a text's language; the model loads on first use."""

    def __init__(self) -> None:
        self._identifier: Any = None

    def detect(self, text: str) -> str | None:
        if sum(ch.isalpha() for ch in text[:2000]) < _MIN_LETTERS:
            return None
        if self._identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
        code, _ = self._identifier.classify(text[:5000])
        return str(code)
