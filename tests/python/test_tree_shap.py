"""The tabulated TreeSHAP against shap's own algorithm: the same values on the trees the project grows and on the
shapes that stress the tables (missing values, rows exactly on a threshold, a feature used twice on one path,
trees too large for the dense pattern index or for an int64 pattern code, single-leaf trees, paths too long to
tabulate)."""

from __future__ import annotations

import numpy as np
import pytest
import shap
from sklearn.ensemble import HistGradientBoostingClassifier

from customer_ai import explain, tree_shap


def _data(n: int, features: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(n, features))
    matrix[:, 0] = rng.poisson(2.0, n)  # ties: many rows share a value, and thresholds fall between them
    matrix[rng.random((n, features)) < 0.08] = np.nan
    logit = np.nan_to_num(matrix[:, 0] - 2) + np.nan_to_num(matrix[:, 1]) * np.nan_to_num(matrix[:, -1])
    return matrix, (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)


def _trees(matrix: np.ndarray, label: np.ndarray, **params) -> HistGradientBoostingClassifier:
    settings = {"max_iter": 40, "max_leaf_nodes": 15, "max_depth": 6, "random_state": 0} | params
    return HistGradientBoostingClassifier(**settings).fit(matrix, label)


def _on_thresholds(trees: HistGradientBoostingClassifier, matrix: np.ndarray) -> np.ndarray:
    """Rows whose values sit exactly on the trees' split thresholds (where < and <= part ways)."""
    ensemble = shap.TreeExplainer(trees).model
    rows = matrix[:200].copy()
    for j in range(matrix.shape[1]):
        used = ensemble.thresholds[ensemble.features == j]
        if len(used):
            rows[:, j] = np.resize(np.unique(used), len(rows))
    return rows


def _shap_reference(trees: HistGradientBoostingClassifier, matrix: np.ndarray) -> np.ndarray:
    return np.asarray(shap.TreeExplainer(trees).shap_values(matrix, check_additivity=False))


@pytest.mark.parametrize(
    "params",
    [
        {},  # the project's default shape: at most 15 leaves, depth 6
        {"max_leaf_nodes": 40, "max_depth": None},  # more than 20 splits: patterns found by sorting
        {"max_leaf_nodes": 90, "max_depth": None, "min_samples_leaf": 5},  # more than 62 splits: row by row
        {"min_samples_leaf": 3_000, "max_iter": 3},  # no split is allowed: every tree is a single leaf
    ],
    ids=["project-shape", "sorted-patterns", "row-by-row", "single-leaf"],
)
def test_tabulated_values_equal_shaps_own(params):
    matrix, label = _data(4_000, 6)
    trees = _trees(matrix, label, **params)
    rows = np.vstack([matrix, _on_thresholds(trees, matrix), np.full((3, 6), np.nan)])
    tables = tree_shap.TabulatedTreeShap(shap.TreeExplainer(trees).model)
    assert tables.supported
    np.testing.assert_allclose(tables.values(rows), _shap_reference(trees, rows), rtol=0, atol=1e-12)


def test_a_feature_used_several_times_on_one_path_counts_once():
    matrix, label = _data(4_000, 2, seed=3)  # two features, depth 6: every long path repeats a feature
    trees = _trees(matrix, label)
    ensemble = shap.TreeExplainer(trees).model
    assert any(
        len(leaf.conditions) > len(leaf.columns)
        for tree in tree_shap.TabulatedTreeShap(ensemble).trees
        for leaf in tree.leaves
    )
    tables = tree_shap.TabulatedTreeShap(ensemble)
    np.testing.assert_allclose(tables.values(matrix), _shap_reference(trees, matrix), rtol=0, atol=1e-12)


def test_paths_too_long_to_tabulate_fall_back_to_shap(monkeypatch):
    matrix, label = _data(2_000, 6, seed=5)
    trees = _trees(matrix, label)
    monkeypatch.setattr(tree_shap, "MAX_PATH_FEATURES", 2)
    assert not tree_shap.TabulatedTreeShap(shap.TreeExplainer(trees).model).supported
    values, base = explain.shap_values(trees, matrix)
    np.testing.assert_allclose(values, _shap_reference(trees, matrix), rtol=0, atol=1e-12)
    np.testing.assert_allclose(base + values.sum(axis=1), trees.decision_function(matrix), rtol=0, atol=1e-9)
