"""A boosted tree ensemble, evaluated with numpy alone.

The line classifiers are trained with scikit-learn's histogram gradient
boosting (``scripts/train_line_classifier.py`` for plain text,
``scripts/train_html_line_classifier.py`` for HTML) and shipped as the arrays
of their trees in a compressed ``.npz`` file: per tree and node, the feature tested, the
threshold (go left when the value is at most it), the children and the leaf
value.  Inference walks all trees at once, one level per step, so a page of a
few hundred lines costs a few dozen numpy operations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storyfold.errors import StoryfoldError


class ModelFileError(StoryfoldError):
    """The shipped model file is missing or does not fit this code."""


@dataclass(frozen=True, slots=True)
class TreeEnsemble:
    """Trees of equal node count (padded); leaves point to themselves."""

    feature: npt.NDArray[np.int32]  # (trees, nodes)
    threshold: npt.NDArray[np.float32]
    left: npt.NDArray[np.int32]
    right: npt.NDArray[np.int32]
    value: npt.NDArray[np.float32]
    baseline: float
    depth: int
    features: tuple[str, ...]
    meta: dict[str, object]

    def decision(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """The raw score (log-odds) of each row of ``x``."""
        n = x.shape[0]
        trees, size = self.feature.shape
        if n == 0:
            return np.zeros(0)
        # Flat node arrays: node k of tree t is t * size + k.
        feature = self.feature.ravel()
        threshold = self.threshold.ravel()
        left = (self.left + np.arange(trees)[:, None] * size).ravel()
        right = (self.right + np.arange(trees)[:, None] * size).ravel()
        node = np.broadcast_to(np.arange(trees, dtype=np.int64) * size, (n, trees))
        flat_x = np.ascontiguousarray(x, dtype=np.float32).ravel()
        row_start = (np.arange(n, dtype=np.int64) * x.shape[1])[:, None]
        for _ in range(self.depth):
            values = flat_x[row_start + feature[node]]
            node = np.where(values <= threshold[node], left[node], right[node])
        total: npt.NDArray[np.float64] = self.value.ravel()[node].sum(axis=1, dtype=np.float64)
        return total + self.baseline

    def probability(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """The probability of the positive class for each row of ``x``."""
        result: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-self.decision(x)))
        return result

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            feature=self.feature.astype(np.int16),
            threshold=self.threshold,
            left=self.left.astype(np.int16),
            right=self.right.astype(np.int16),
            value=self.value,
            baseline=np.array([self.baseline]),
            depth=np.array([self.depth]),
            features=np.array(json.dumps(list(self.features))),
            meta=np.array(json.dumps(self.meta)),
        )

    @classmethod
    def load(
        cls,
        path: Path,
        expected: tuple[str, ...] | None = None,
        script: str = "scripts/train_line_classifier.py",
    ) -> TreeEnsemble:
        """Read a model written by :meth:`save`; ``expected`` is the feature list the
        caller computes and ``script`` the training script named in errors."""
        try:
            with np.load(path) as data:
                features = tuple(json.loads(str(data["features"])))
                model = cls(
                    feature=data["feature"].astype(np.int32),
                    threshold=data["threshold"].astype(np.float32),
                    left=data["left"].astype(np.int32),
                    right=data["right"].astype(np.int32),
                    value=data["value"].astype(np.float32),
                    baseline=float(data["baseline"][0]),
                    depth=int(data["depth"][0]),
                    features=features,
                    meta=json.loads(str(data["meta"])),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ModelFileError(
                f"cannot read the line classifier {path}: {exc}; reinstall storyfold or "
                f"rebuild it with {script}"
            ) from exc
        if expected is not None and features != expected:
            raise ModelFileError(
                f"the line classifier {path} was trained on other features than this code "
                f"computes; rebuild it with {script}"
            )
        return model

    @classmethod
    def from_sklearn(
        cls, clf: object, features: tuple[str, ...], meta: dict[str, object]
    ) -> TreeEnsemble:
        """Export a fitted binary ``HistGradientBoostingClassifier`` (numeric features)."""
        predictors = [p[0].nodes for p in clf._predictors]  # type: ignore[attr-defined]
        size = max(len(nodes) for nodes in predictors)
        trees = len(predictors)
        feature = np.zeros((trees, size), dtype=np.int32)
        threshold = np.zeros((trees, size), dtype=np.float32)
        left = np.tile(np.arange(size, dtype=np.int32), (trees, 1))
        right = left.copy()
        value = np.zeros((trees, size), dtype=np.float32)
        depth = 0
        for t, nodes in enumerate(predictors):
            m = len(nodes)
            leaf = nodes["is_leaf"].astype(bool)
            feature[t, :m] = np.where(leaf, 0, nodes["feature_idx"])
            # A leaf's test always goes "left" to itself.
            threshold[t, :m] = np.where(leaf, np.inf, nodes["num_threshold"])
            left[t, :m] = np.where(leaf, np.arange(m), nodes["left"])
            right[t, :m] = np.where(leaf, np.arange(m), nodes["right"])
            value[t, :m] = np.where(leaf, nodes["value"], 0.0)
            depth = max(depth, int(nodes["depth"].max()))
        baseline = float(np.ravel(clf._baseline_prediction)[0])  # type: ignore[attr-defined]
        return cls(feature, threshold, left, right, value, baseline, depth, features, meta)
