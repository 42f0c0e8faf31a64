"""Exact path-dependent TreeSHAP by table lookup: the same values as shap's TreeExplainer, several times faster on
the small trees the propensity models grow.

Why not shap's own algorithm: shap walks every tree for every row and grows and shrinks the subset weights of the
path as it goes, O(leaves x depth^2) per tree and row, one row at a time; at a million profiles this was nine tenths
of a daily refresh's reason codes. What is computed here is the same quantity, arranged so that the per-row work is
a few vectorized lookups:

For one leaf l with value v, let P be the distinct features on its path (d of them). For each k in P, z_k is the
share of the training cover that follows the path's conditions on k (the product of child / parent cover at those
nodes), and o_k is 1 if the row satisfies all of them, else 0. Path-dependent TreeSHAP is the Shapley value of the
game g(S) = v * prod_k (o_k if k in S else z_k) (features off the path are null players), so

    phi_j = v * (o_j - z_j) * sum_s w(s, d) * c_s,    w(s, d) = s! (d - 1 - s)! / d!,

where c_s is the coefficient of y^s in prod_{k in P, k != j} (o_k * y + z_k). It depends on the row only through
the bits o, so each leaf gets a table of its contributions for all 2^d patterns of o, built once per model; a row
then costs, per leaf, the d bits and one lookup. A tree's share of a feature's value is the sum over its leaves.

The trees come from shap's own reading of the model (shap.TreeExplainer(...).model): thresholds, the child a
missing value takes, covers and leaf values are shap's, and so is the rule x <= threshold goes left. The tests
check the values against shap's on models with missing values, repeated features on a path and ties at thresholds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# A leaf's table holds 2^d rows of d values. Paths with more distinct features than this are left to shap's
# algorithm (the propensity models have depth at most 6; deeper trees come only from user hyperparameters).
MAX_PATH_FEATURES = 12


@dataclass(frozen=True)
class _Leaf:
    columns: np.ndarray  # the distinct features on the path, as positions in the tree's features, (d,)
    conditions: tuple[tuple[int, int, bool], ...]  # (slot in columns, split node, leaf side is left) along the path
    table: np.ndarray  # contributions for each pattern of the bits o: (2^d, d)


@dataclass(frozen=True)
class _Tree:
    features: np.ndarray  # every feature the tree splits on
    split_features: np.ndarray  # per internal node, in the order of the rows of the direction matrix
    thresholds: np.ndarray
    nodes_sending_missing_left: np.ndarray  # rows of the direction matrix whose node sends a missing value left
    leaves: tuple[_Leaf, ...]

    def directions(self, columns: np.ndarray) -> np.ndarray:
        """Whether each row goes left at each internal node: (splits, rows), shap's rule x <= threshold."""
        x = columns[self.split_features]
        goes_left = x <= self.thresholds[:, None]  # a missing value (NaN) compares false: it goes right...
        if len(self.nodes_sending_missing_left):  # ...except at the nodes that send missing values left
            rows = self.nodes_sending_missing_left
            goes_left[rows] |= np.isnan(x[rows])
        return goes_left

    def contributions(self, goes_left: np.ndarray) -> np.ndarray:
        """The tree's share of each of its features' values, (features, rows), from the rows' directions."""
        out = np.zeros((len(self.features), goes_left.shape[1]))
        for leaf in self.leaves:
            satisfied = np.ones((len(leaf.columns), goes_left.shape[1]), dtype=bool)
            for slot, split, leaf_side_is_left in leaf.conditions:
                satisfied[slot] &= goes_left[split] if leaf_side_is_left else ~goes_left[split]
            pattern = np.zeros(goes_left.shape[1], dtype=np.intp)
            for slot in range(len(leaf.columns)):
                pattern |= satisfied[slot].astype(np.intp) << slot
            out[leaf.columns] += leaf.table[pattern].T
        return out


def _weights(d: int) -> np.ndarray:
    return np.array([math.factorial(s) * math.factorial(d - 1 - s) / math.factorial(d) for s in range(d)])


def _leaf_table(value: float, cover_shares: np.ndarray) -> np.ndarray:
    """Contributions (2^d, d) of one leaf for every pattern of the bits o (bit i of the pattern is o of slot i)."""
    d = len(cover_shares)
    patterns = (np.arange(2**d)[:, None] >> np.arange(d)[None, :]) & 1  # (2^d, d) of 0/1
    weights = _weights(d)
    table = np.empty((2**d, d))
    for j in range(d):
        coefficients = np.zeros((2**d, d))
        coefficients[:, 0] = 1.0
        for k in range(d):
            if k == j:
                continue
            shifted = np.zeros_like(coefficients)
            shifted[:, 1:] = coefficients[:, :-1] * patterns[:, [k]]
            coefficients = coefficients * cover_shares[k] + shifted
        table[:, j] = value * (patterns[:, j] - cover_shares[j]) * (coefficients @ weights)
    return table


def _read_tree(ensemble, t: int) -> _Tree | None:
    """One tree of shap's TreeEnsemble as split nodes and leaf tables; None if a path is too long to tabulate."""
    left, right = ensemble.children_left[t], ensemble.children_right[t]
    default, features = ensemble.children_default[t], ensemble.features[t]
    cover, values = ensemble.node_sample_weight[t], ensemble.values[t][:, 0]
    split_nodes = [n for n in range(len(left)) if left[n] >= 0]
    split_row = {node: row for row, node in enumerate(split_nodes)}  # a node's row in the direction matrix
    tree_features = sorted({int(features[n]) for n in split_nodes})
    feature_column = {feature: column for column, feature in enumerate(tree_features)}
    leaves: list[_Leaf] = []

    def walk(node: int, path: list[tuple[int, bool, float]]) -> None:
        if left[node] < 0:
            distinct = list(dict.fromkeys(int(features[n]) for n, _, _ in path))
            if len(distinct) > MAX_PATH_FEATURES:
                raise OverflowError
            shares = np.ones(len(distinct))
            conditions = []
            for n, leaf_side_is_left, share in path:
                slot = distinct.index(int(features[n]))
                shares[slot] *= share
                conditions.append((slot, split_row[n], leaf_side_is_left))
            columns = np.array([feature_column[f] for f in distinct], dtype=np.intp)
            leaves.append(_Leaf(columns, tuple(conditions), _leaf_table(values[node], shares)))
            return
        for child, leaf_side_is_left in ((left[node], True), (right[node], False)):
            share = cover[child] / cover[node] if cover[node] > 0 else 0.0
            walk(int(child), [*path, (node, leaf_side_is_left, share)])

    try:
        walk(0, [])
    except OverflowError:
        return None
    nodes = np.array(split_nodes, dtype=np.intp)
    return _Tree(
        np.array(tree_features, dtype=np.intp),
        features[nodes].astype(np.intp),
        ensemble.thresholds[t][nodes],
        np.flatnonzero(default[nodes] == left[nodes]),
        tuple(leaves),
    )


# Rows that take the same direction at every split of a tree get the same contributions from it, and a batch holds
# far fewer direction patterns than rows: each tree works on its distinct patterns (found through a dense index
# when the tree has at most this many splits, else by sorting) and hands the result back to the rows.
_DENSE_PATTERN_SPLITS = 20


def _distinct_patterns(goes_left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(directions of each distinct pattern (splits, k), index of each row's pattern (rows,))."""
    splits = goes_left.shape[0]
    code = np.zeros(goes_left.shape[1], dtype=np.int64)
    for split in range(splits):
        code |= goes_left[split].astype(np.int64) << split
    if splits <= _DENSE_PATTERN_SPLITS:
        present = np.zeros(2**splits, dtype=bool)
        present[code] = True
        distinct = np.flatnonzero(present)
        position = np.zeros(2**splits, dtype=np.intp)
        position[distinct] = np.arange(len(distinct))
        inverse = position[code]
    else:
        distinct, inverse = np.unique(code, return_inverse=True)
    return ((distinct[None, :] >> np.arange(splits)[:, None]) & 1).astype(bool), inverse


class TabulatedTreeShap:
    """Path-dependent TreeSHAP values of a shap TreeEnsemble (single output), computed by leaf tables."""

    def __init__(self, ensemble) -> None:
        trees = [_read_tree(ensemble, t) for t in range(len(ensemble.children_left))]
        # None when a path is too long to tabulate: then no tree is explained here
        self.trees: list[_Tree] | None = trees if all(tree is not None for tree in trees) else None

    @property
    def supported(self) -> bool:
        return self.trees is not None

    def values(self, matrix: np.ndarray) -> np.ndarray:
        """Contributions (rows x features) of every feature to every row's raw output."""
        if self.trees is None:
            raise ValueError("a path has more distinct features than the tables hold; use shap's algorithm")
        by_feature = np.zeros((matrix.shape[1], matrix.shape[0]))  # feature-major: a tree adds whole rows of it
        columns = np.ascontiguousarray(matrix.T)
        gathered = np.empty(matrix.shape[0])
        for tree in self.trees:
            goes_left = tree.directions(columns)
            if len(goes_left) < 63:  # the pattern fits an int64 code
                patterns, row_pattern = _distinct_patterns(goes_left)
                per_pattern = tree.contributions(patterns)
                # one feature at a time, in place: a fancy-indexed `by_feature[tree.features] +=` copies the
                # tree's rows of by_feature out and back, which took a third of the time
                for slot, feature in enumerate(tree.features):
                    np.take(per_pattern[slot], row_pattern, out=gathered)
                    by_feature[feature] += gathered
            else:
                by_feature[tree.features] += tree.contributions(goes_left)
        return by_feature.T
