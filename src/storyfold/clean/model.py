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
from dataclasses import dataclass, field
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

    # Flat views of the node arrays, derived once here rather than per call
    # (a page of lines is scored two or three times as the cleaner reaches its
    # fixed point).  Node k of tree t is t * nodes + k; ``_child[2 * j + 1]``
    # is the left child of flat node j and ``_child[2 * j]`` the right one, so
    # one gather moves every row down a level.
    _roots: npt.NDArray[np.intp] = field(init=False, repr=False, compare=False)
    _feature: npt.NDArray[np.intp] = field(init=False, repr=False, compare=False)
    _threshold: npt.NDArray[np.float32] = field(init=False, repr=False, compare=False)
    _child: npt.NDArray[np.intp] = field(init=False, repr=False, compare=False)
    _value: npt.NDArray[np.float32] = field(init=False, repr=False, compare=False)
    _columns: int = field(init=False, repr=False, compare=False)  # the columns x must have

    def __post_init__(self) -> None:
        trees, size = self.feature.shape
        # decision() relies on these to skip numpy's bounds checks.
        if self.feature.size and int(self.feature.min()) < 0:
            raise ModelFileError(
                "the line classifier tests negative feature indices; "
                "rebuild it with scripts/train_line_classifier.py"
            )
        for name, children in (("left", self.left), ("right", self.right)):
            if children.size and (int(children.min()) < 0 or int(children.max()) >= size):
                raise ModelFileError(
                    f"the line classifier's {name} children leave its trees' {size} nodes; "
                    "rebuild it with scripts/train_line_classifier.py"
                )
        roots = np.arange(trees, dtype=np.intp) * size
        child = np.empty(2 * trees * size, dtype=np.intp)
        child[0::2] = (self.right + roots[:, None]).ravel()
        child[1::2] = (self.left + roots[:, None]).ravel()
        flat = {
            "_roots": roots,
            "_feature": self.feature.ravel().astype(np.intp),
            "_threshold": np.ascontiguousarray(self.threshold, dtype=np.float32).ravel(),
            "_child": child,
            "_value": np.ascontiguousarray(self.value, dtype=np.float32).ravel(),
            "_columns": int(self.feature.max()) + 1 if self.feature.size else 0,
        }
        for name, array in flat.items():
            object.__setattr__(self, name, array)  # frozen: set once, here

    def decision(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """The raw score (log-odds) of each row of ``x``."""
        if x.ndim != 2 or x.shape[1] < self._columns:
            raise ModelFileError(
                f"the line classifier reads {self._columns} columns, got an array of shape "
                f"{x.shape}; compute it with storyfold.clean.features.line_features"
            )
        n = x.shape[0]
        if n == 0:
            return np.zeros(0)
        flat_x = np.ascontiguousarray(x, dtype=np.float32).ravel()
        row_start = (np.arange(n, dtype=np.intp) * x.shape[1])[:, None]
        node = np.broadcast_to(self._roots, (n, len(self._roots)))
        # Every index is in range (checked at construction and above: a tree's
        # nodes, x's columns), so "clip" never clips: it only skips the bounds
        # check that makes the default mode slower (15% of this loop).
        for _ in range(self.depth):
            # Left when the value is at most the threshold (a NaN goes right).
            feature = np.take(self._feature, node, mode="clip")
            values = np.take(flat_x, row_start + feature, mode="clip")
            go_left = values <= np.take(self._threshold, node, mode="clip")
            node = np.take(self._child, (node << 1) | go_left, mode="clip")
        leaves = np.take(self._value, node, mode="clip")
        total: npt.NDArray[np.float64] = leaves.sum(axis=1, dtype=np.float64)
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
