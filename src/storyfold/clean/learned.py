"""The default plain-text cleaner: the rules' verdicts and a learned line classifier.

:class:`LearnedTextCleaner` reads a page the way :class:`RuleTextCleaner` does
(one rule pass gives each line a verdict and finds title, standfirst, byline and
date), then a boosted tree ensemble over the features of each line and its
neighbours (:mod:`storyfold.clean.features`) gives each line a probability of
being boilerplate.  A line goes when that probability reaches the threshold,
or when a rule that is never wrong on the dev pages removes it (the "sure"
reasons below); every other line stays, and paragraphs broken at a page break
are joined as the rules join them.

The model was trained on the plain-text renderings of the dev pages in
``shared/data/pages`` (scrapinghub and WCXB dev articles, labels from the gold
bodies) by ``scripts/train_line_classifier.py``, which also reports its
cross-validated F1 (folds grouped by site: no page is scored by a model that saw
it); the figures are in docs/benchmarks.md.  Inference needs numpy only.

Cleaning is idempotent: removing lines changes the neighbours and positions
the classifier reads, so the pass is repeated on its own body until nothing
changes, as the rule cleaner does.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storyfold.clean.features import FEATURES, line_features
from storyfold.clean.model import TreeEnsemble
from storyfold.clean.rules import Line
from storyfold.clean.text import RuleTextCleaner, join_breaks, rule_verdicts
from storyfold.config import Settings
from storyfold.records import Cleaned, RemovedSpan

MODEL_FILE = "line_classifier.npz"
# Passes end at a fixed point (each only removes or joins lines); the cap is a guard.
_MAX_PASSES = 20


@lru_cache(maxsize=4)
def load_line_model(path: str | None = None) -> TreeEnsemble:
    """The shipped line classifier (or the one at ``path``), loaded once."""
    if path is None:
        with resources.as_file(resources.files("storyfold") / "data" / MODEL_FILE) as file:
            return TreeEnsemble.load(file, FEATURES)
    return TreeEnsemble.load(Path(path), FEATURES)


class LearnedTextCleaner:
    """Cleans the plain text of one page: rules for sure cases, a model for the rest.

    >>> cleaned = LearnedTextCleaner().clean(
    ...     "Advertisement\\nMinisters meet in Beijing to discuss trade ties\\n"
    ...     "The two ministers met on Monday in Beijing. They discussed trade and "
    ...     "the war, officials said.\\nRead more"
    ... )
    >>> cleaned.body
    'The two ministers met on Monday in Beijing. They discussed trade and the war, officials said.'
    >>> cleaned.title
    'Ministers meet in Beijing to discuss trade ties'
    """

    def __init__(
        self,
        model: TreeEnsemble | None = None,
        settings: Settings | None = None,
    ) -> None:
        self._model = model or load_line_model()
        settings = settings or Settings()
        self._threshold = settings.line_boilerplate_threshold
        self._floor = settings.line_rule_floor
        self._sure = frozenset(settings.line_sure_reasons)
        self._rules = RuleTextCleaner()

    def clean(self, text: str) -> Cleaned:
        memo: dict[str, tuple[Line, str | None]] = {}
        columns: dict[str, npt.NDArray[np.float32]] = {}
        verdicts = rule_verdicts(text, memo)
        removed: list[RemovedSpan] = list(verdicts.inline)
        body = self._pass(verdicts.lines, verdicts.title, removed, columns)
        for _ in range(_MAX_PASSES):
            again = rule_verdicts(body, memo)
            removed.extend(again.inline)
            next_body = self._pass(again.lines, again.title, removed, columns)
            if next_body == body:
                break
            body = next_body
        title = verdicts.title
        return Cleaned(
            body=body,
            title=title,
            dek=verdicts.dek,
            byline=verdicts.byline,
            published=verdicts.published,
            removed=tuple(removed),
        )

    def boilerplate_probability(self, lines: list[Line], title: str | None) -> list[float]:
        """The classifier's p(boilerplate) for each line (for inspection and tests)."""
        return [float(p) for p in self._model.probability(line_features(lines, title))]

    def _pass(
        self,
        lines: list[Line],
        title: str | None,
        removed: list[RemovedSpan],
        columns: dict[str, npt.NDArray[np.float32]] | None = None,
    ) -> str:
        """One pass: the body the model and the sure rules leave."""
        if not lines:
            return ""
        probability = self._model.probability(line_features(lines, title, columns))
        # The rules' removals stand unless the model is confident they are body;
        # the sure reasons stand whatever it says.
        ruled = np.array([line.reason is not None for line in lines])
        sure = np.array([line.reason in self._sure for line in lines])
        keep = (probability < self._threshold) & ~sure & ~(ruled & (probability >= self._floor))
        kept: list[Line] = []
        for line, k, p in zip(lines, keep.tolist(), probability.tolist(), strict=True):
            if k:
                kept.append(line)  # joining reads its shape and text, never its reason
            elif line.reason in ("title", "dek"):
                continue  # metadata, not a removal
            else:
                removed.append(RemovedSpan(line.text, _reason(line, p, self._sure)))
        if not kept:
            # Nothing reads as an article to the model: fall back on the rules,
            # which always leave a body when the page has a line of text.
            return self._rules.clean("\n".join(line.text for line in lines)).body
        paragraphs, joins = join_breaks(kept)
        removed.extend(joins)
        return "\n\n".join(line.text for line in paragraphs)


def _reason(line: Line, probability: float, sure: frozenset[str]) -> str:
    """Why a line went: the sure rule's reason, or the model's with a description."""
    if line.reason in sure:
        return line.reason or ""
    shape = _shape(line)
    rule = f", rules say {line.reason}" if line.reason else ""
    return f"line classifier: p(boilerplate)={probability:.2f}, {shape}{rule}"


def _shape(line: Line) -> str:
    if line.short:
        return "short label-like line"
    if line.headline:
        return "headline-like line between other blocks"
    if line.prose:
        return "prose line outside the article's run of paragraphs"
    if not line.ends:
        return "line without a sentence end"
    return "short sentence outside the article"
