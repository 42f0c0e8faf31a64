"""The weighted binning in one pass per feature (customer_ai.hgb_binning) gives scikit-learn's own thresholds."""

import numpy as np
import pytest
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.ensemble._hist_gradient_boosting import binning

from customer_ai import hgb_binning, propensity

pinned = pytest.mark.skipif(
    sklearn.__version__ not in hgb_binning.PATCHED_VERSIONS, reason="the patch applies to scikit-learn 1.9.1 only"
)


def weighted_columns(rng):
    """Columns of the shapes features have: continuous, counts with heavy ties, missing values, few distinct
    values, one value; with class-balanced weights, some zero weights, and unit weights (percentiles that fall on a
    value, which the averaged inverted CDF averages with the next)."""
    n = 6000
    continuous = rng.lognormal(3, 1.5, n)
    counts = rng.poisson(2.5, n).astype(float) * rng.integers(1, 400, n)  # many ties, over 255 distinct
    with_missing = np.where(rng.random(n) < 0.3, np.nan, rng.normal(0, 1, n))
    few = rng.integers(0, 7, n).astype(float)
    single = np.full(n, 4.0)
    label = rng.random(n) < 0.1
    balanced = np.where(label, 0.5 / label.mean(), 0.5 / (1 - label.mean()))
    zeroed = np.where(rng.random(n) < 0.2, 0.0, balanced)
    for column in (continuous, counts, with_missing, few, single):
        for weights in (balanced, zeroed, np.ones(n)):
            yield column, weights


@pinned
def test_training_bins_with_the_one_pass_thresholds():
    assert propensity.hgb_binning is hgb_binning
    assert binning._find_binning_thresholds is hgb_binning.find_binning_thresholds


@pinned
@pytest.mark.parametrize("max_bins", [255, 40])
def test_the_thresholds_are_scikit_learns_own(max_bins):
    rng = np.random.default_rng(7)
    for column, weights in weighted_columns(rng):
        ours = hgb_binning.find_binning_thresholds(column, max_bins, sample_weight=weights)
        theirs = hgb_binning.ORIGINAL(column, max_bins, sample_weight=weights)
        np.testing.assert_array_equal(ours, theirs)
    # without weights it is scikit-learn's function itself
    np.testing.assert_array_equal(
        hgb_binning.find_binning_thresholds(column, max_bins), hgb_binning.ORIGINAL(column, max_bins)
    )


@pinned
def test_a_class_weighted_fit_is_the_same_with_and_without_it(monkeypatch):
    rng = np.random.default_rng(11)
    columns = [column for column, _ in weighted_columns(rng)][::3]
    matrix = np.column_stack(columns)
    label = (np.nan_to_num(matrix[:, 0]) / 40 + rng.normal(0, 1, len(matrix)) > 1.2).astype(int)
    model = {"max_iter": 30, "class_weight": "balanced", "early_stopping": False, "random_state": 0}

    ours = HistGradientBoostingClassifier(**model).fit(matrix, label)
    monkeypatch.setattr(binning, "_find_binning_thresholds", hgb_binning.ORIGINAL)
    theirs = HistGradientBoostingClassifier(**model).fit(matrix, label)

    for a, b in zip(ours._bin_mapper.bin_thresholds_, theirs._bin_mapper.bin_thresholds_, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ours.predict_proba(matrix), theirs.predict_proba(matrix))


def test_another_scikit_learn_version_is_left_alone(monkeypatch):
    monkeypatch.setattr(binning, "_find_binning_thresholds", hgb_binning.ORIGINAL)
    monkeypatch.setattr(sklearn, "__version__", "1.10.0")
    assert hgb_binning.install() is False
    assert binning._find_binning_thresholds is hgb_binning.ORIGINAL
