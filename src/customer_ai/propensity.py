"""Propensity models: training, calibration and evaluation of one gradient-boosted tree model per prediction.

The flow for one prediction (called by the dbt Python model ``ml_propensity_models_trained``):

1. ``split_by_profile`` puts every profile on one side only: holdout (evaluation), calibration, or training.
   The split hashes the profile id, so it does not depend on row order or on the other profiles.
2. ``HistGradientBoostingClassifier`` learns on the training profiles with balanced class weights.
3. Its probabilities are recalibrated (Platt sigmoid) on the calibration profiles, which the trees never saw:
   class weighting distorts probabilities and calibration puts them back on the real scale.
4. The holdout gives AUC, log loss, Brier score, lift and cumulative gains, calibration bins and the expected
   calibration error, and the status:
   ``trained``, ``poor_quality`` (AUC below the gate) or ``insufficient_data`` (too few examples of a class).

Feature matrices are float64 numpy arrays with NaN for missing values, and categorical features are encoded as
ordinal codes (never native categorical splits): both are needed for exact TreeSHAP with shap 0.51.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from customer_ai import hgb_binning
from customer_ai.features import FeatureSpec

# weighted bin thresholds in one pass per feature on scikit-learn 1.9.1 (same thresholds, see hgb_binning)
hgb_binning.install()

STATUS_TRAINED = "trained"
STATUS_POOR = "poor_quality"
STATUS_INSUFFICIENT = "insufficient_data"
STATUS_LEAKAGE = "leakage_suspected"


@dataclass(frozen=True)
class TrainingSettings:
    """Knobs of training. The first four are dbt vars (customer_ai__min_positive_examples, _min_negative_examples,
    _poor_auc_threshold, _model_seed) whose defaults are set once, in dbt_project.yml; the rest are fixed here."""

    min_positive_examples: int
    min_negative_examples: int
    poor_auc_threshold: float
    seed: int
    holdout_share: float = 0.2
    calibration_share: float = 0.2
    max_iter: int = 300
    # Small trees: exact TreeSHAP costs grow with leaves x depth, and on the demo 15 leaves of depth <= 6 at a
    # learning rate of 0.1 explain 5x faster than 31 unbounded leaves at 0.06, for the same holdout AUC.
    learning_rate: float = 0.1
    max_leaf_nodes: int = 15
    max_depth: int = 6
    min_samples_leaf: int = 40
    l2_regularization: float = 1.0
    # A single feature that separates the classes this well on its own was almost surely built from the label.
    leakage_auc_threshold: float = 0.98

    def tree_parameters(self) -> dict[str, Any]:
        """The HistGradientBoostingClassifier arguments: what is fitted and what the registry records."""
        return {
            "max_iter": self.max_iter,
            "learning_rate": self.learning_rate,
            "max_leaf_nodes": self.max_leaf_nodes,
            "max_depth": self.max_depth,
            "min_samples_leaf": self.min_samples_leaf,
            "l2_regularization": self.l2_regularization,
            "class_weight": "balanced",
            "early_stopping": True,
            "validation_fraction": 0.1,
            "n_iter_no_change": 20,
            "random_state": self.seed,
        }

    def hyperparameters(self) -> dict[str, Any]:
        return {**self.tree_parameters(), "calibration": "sigmoid"}


def profile_bucket(profile_ids: pd.Series | np.ndarray, seed: int) -> np.ndarray:
    """A number in [0, 1) per profile, stable across runs and machines (md5 of seed and id)."""
    values = np.empty(len(profile_ids), dtype=np.float64)
    for i, pid in enumerate(np.asarray(profile_ids, dtype=object)):
        digest = hashlib.md5(f"{seed}|{pid}".encode()).digest()
        values[i] = int.from_bytes(digest[:8], "big") / 2**64
    return values


def split_by_profile(profile_ids: pd.Series | np.ndarray, settings: TrainingSettings) -> np.ndarray:
    """'holdout', 'calibration' or 'train' per row; all rows of a profile land on the same side."""
    u = profile_bucket(profile_ids, settings.seed)
    side = np.full(len(u), "train", dtype=object)
    side[u < settings.holdout_share + settings.calibration_share] = "calibration"
    side[u < settings.holdout_share] = "holdout"
    return side


def evaluate(y_true: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """Holdout metrics. AUC is NaN when the holdout has a single class."""
    y = np.asarray(y_true, dtype=int)
    p = np.clip(np.asarray(probability, dtype=np.float64), 1e-9, 1 - 1e-9)
    both = len(np.unique(y)) == 2
    return {
        "auc": float(roc_auc_score(y, p)) if both else float("nan"),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "brier": float(brier_score_loss(y, p)),
        "positive_rate": float(y.mean()) if len(y) else float("nan"),
        "rows": int(len(y)),
        "positives": int(y.sum()),
    }


def lift_gains(y_true: np.ndarray, probability: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Lift and cumulative gains by decile of predicted probability (decile 1 = the highest scores)."""
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(probability, dtype=np.float64)
    order = np.lexsort((np.arange(len(p)), -p))  # highest first; ties keep input order
    decile = np.empty(len(p), dtype=int)
    decile[order] = np.minimum(np.arange(len(p)) * bins // max(len(p), 1), bins - 1) + 1
    frame = pd.DataFrame({"decile": decile, "y": y, "p": p})
    total_pos = max(int(y.sum()), 1)
    base_rate = y.mean() if len(y) else float("nan")
    rows = []
    cumulative = 0
    for d in range(1, bins + 1):
        part = frame[frame["decile"] == d]
        positives = int(part["y"].sum())
        cumulative += positives
        rate = positives / len(part) if len(part) else float("nan")
        rows.append(
            {
                "decile": d,
                "profiles": int(len(part)),
                "positives": positives,
                "positive_rate": rate,
                "mean_probability": float(part["p"].mean()) if len(part) else float("nan"),
                "lift": rate / base_rate if base_rate else float("nan"),
                "cumulative_gain": cumulative / total_pos,
            }
        )
    return pd.DataFrame(rows)


def calibration_bins(y_true: np.ndarray, probability: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Observed rate against mean predicted probability in equal-width probability bins (bin 1 = [0, 0.1) for ten
    bins; the last bin includes 1). Empty bins are left out."""
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(probability, dtype=np.float64)
    number = np.minimum((p * bins).astype(int), bins - 1) + 1
    rows = []
    for b in range(1, bins + 1):
        inside = number == b
        if inside.any():
            rows.append(
                {
                    "probability_bin": b,
                    "bin_lower": (b - 1) / bins,
                    "bin_upper": b / bins,
                    "profiles": int(inside.sum()),
                    "mean_predicted_probability": float(p[inside].mean()),
                    "observed_rate": float(y[inside].mean()),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "probability_bin",
            "bin_lower",
            "bin_upper",
            "profiles",
            "mean_predicted_probability",
            "observed_rate",
        ],
    )


def expected_calibration_error(bins: pd.DataFrame) -> float:
    """The profile-weighted mean distance between predicted and observed rates over the bins."""
    if bins.empty:
        return float("nan")
    weights = bins["profiles"] / bins["profiles"].sum()
    return float((weights * (bins["mean_predicted_probability"] - bins["observed_rate"]).abs()).sum())


@dataclass
class TrainingResult:
    status: str
    message: str
    model: CalibratedClassifierCV | None
    features: FeatureSpec
    metrics: dict[str, float]
    lift: pd.DataFrame | None
    counts: dict[str, int]
    global_importance: dict[str, float] = field(default_factory=dict)
    calibration: pd.DataFrame | None = None


def tree_model(calibrated: CalibratedClassifierCV) -> HistGradientBoostingClassifier:
    """The fitted trees inside the calibrated model (what TreeSHAP explains)."""
    inner = calibrated.calibrated_classifiers_[0].estimator
    return inner.estimator if isinstance(inner, FrozenEstimator) else inner


def predict_probability(calibrated: CalibratedClassifierCV, matrix: np.ndarray) -> np.ndarray:
    return calibrated.predict_proba(matrix)[:, 1]


def probability_and_raw_score(calibrated: CalibratedClassifierCV, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The calibrated probability and the trees' raw score (log-odds) of each row, walking the trees once.

    predict_proba computes the raw score itself and a scorer that also stores it would walk every tree twice (half
    of the scoring time). For the project's models (one sigmoid calibration of the frozen trees) the probability is
    the calibrator applied to the raw score, as scikit-learn's _CalibratedClassifier does, including its clip of
    values a hair above 1; any other shape goes through predict_proba. Equal to predict_probability (tested)."""
    trees = tree_model(calibrated)
    raw = trees.decision_function(matrix)
    if calibrated.method != "sigmoid" or len(calibrated.calibrated_classifiers_) != 1:
        return predict_probability(calibrated, matrix), raw
    (calibrator,) = calibrated.calibrated_classifiers_[0].calibrators
    probability = np.asarray(calibrator.predict(raw), dtype=np.float64)
    probability[(1.0 < probability) & (probability <= 1.0 + 1e-5)] = 1.0
    return probability, raw


def informative_columns(matrix: np.ndarray) -> np.ndarray:
    """Per column, whether it holds two values or more, counting missing (NaN) as a value of its own."""
    missing = np.isnan(matrix)
    # fmin/fmax skip NaN (NaN only for a column with no value at all) without nanmin's all-NaN warning
    varies = np.fmin.reduce(matrix, axis=0) < np.fmax.reduce(matrix, axis=0)
    return varies | (missing.any(axis=0) & ~missing.all(axis=0))


def univariate_aucs(matrix: np.ndarray, y: np.ndarray, block: int = 8) -> np.ndarray:
    """AUC of each column used alone (either direction), missing values as the lowest value.

    The AUC is the Mann-Whitney statistic of the positives' ranks, with tied values sharing their mean rank (which is
    what roc_auc_score's trapezoids give). Ranking every column at once is four times faster than one roc_auc_score
    per column (0.6 s against 2.4-2.9 s for 66 columns of a million-profile backtest's 150,000 training rows). The
    columns are ranked `block` at a time: ranking holds about five copies of what it ranks (there, 59 MB for 8
    columns at a time, 390 MB for all 66 at once, at the same speed; the training rows take 75 MB)."""
    positives = int(y.sum())
    negatives = len(y) - positives
    aucs = np.full(matrix.shape[1], 0.5)
    if positives == 0 or negatives == 0:
        return aucs
    is_positive = y == 1
    for start in range(0, matrix.shape[1], block):
        part = matrix[:, start : start + block]
        ranks = rankdata(np.where(np.isnan(part), -np.inf, part), axis=0)
        aucs[start : start + block] = (ranks[is_positive].sum(axis=0) - positives * (positives + 1) / 2) / (
            positives * negatives
        )
    return np.maximum(aucs, 1 - aucs)


def leaking_features(matrix: np.ndarray, y: np.ndarray, names: list[str], threshold: float) -> list[tuple[str, float]]:
    """The features whose AUC on their own reaches the threshold, with it."""
    aucs = univariate_aucs(matrix, y)
    return [(name, float(auc)) for name, auc in zip(names, aucs, strict=True) if auc >= threshold]


def train_prediction(
    examples: pd.DataFrame,
    feature_names: list[str],
    categorical: list[str],
    settings: TrainingSettings,
    prediction_name: str = "prediction",
) -> TrainingResult:
    """Train, calibrate and evaluate one prediction from labelled examples (columns profile_id, label, features)."""
    frame = examples.sort_values(["profile_id", "snapshot_date"] if "snapshot_date" in examples else ["profile_id"])
    frame = frame.reset_index(drop=True)
    y = frame["label"].astype(int).to_numpy()
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    counts = {"examples": int(len(y)), "positives": positives, "negatives": negatives}
    spec = FeatureSpec.fit(frame, feature_names, categorical)
    empty = TrainingResult(STATUS_INSUFFICIENT, "", None, spec, {}, None, counts)

    if positives < settings.min_positive_examples or negatives < settings.min_negative_examples:
        empty.message = (
            f"{prediction_name}: {positives:,} positive and {negatives:,} negative training examples; at least "
            f"{settings.min_positive_examples:,} positive and {settings.min_negative_examples:,} negative are needed "
            "(customer_ai__min_positive_examples, customer_ai__min_negative_examples). No scores for this prediction."
        )
        return empty

    matrix = spec.matrix(frame)
    side = split_by_profile(frame["profile_id"], settings)
    train, calib, hold = side == "train", side == "calibration", side == "holdout"
    counts.update(
        {
            "train_rows": int(train.sum()),
            "calibration_rows": int(calib.sum()),
            "holdout_rows": int(hold.sum()),
            "holdout_positives": int(y[hold].sum()),
        }
    )
    for part, mask in (("training", train), ("calibration", calib), ("holdout", hold)):
        if len(np.unique(y[mask])) < 2:
            empty.message = f"{prediction_name}: the {part} split has a single class; more data is needed."
            return empty

    # Selecting rows by a mask copies them row-major. The fit bins each feature once, and the calibration's
    # cross-validation copies its folds row by row again, so their rows stay as selected. The evaluation walks the
    # trees over the holdout rows, reading one feature of consecutive rows at each node, so they are made
    # column-major again below, as scoring has them (the two walks of a million-profile backtest's 49,949 holdout
    # rows through 172 trees: 0.56 s against 1.6-1.7 s).
    train_rows = matrix[train]
    # A feature with a single value in the training rows, or none, carries no information: the trees cannot split on
    # it, yet the fit would still bin it and build its histograms for every node (40 of a million-profile
    # backtest's 102 features: 6.1-8.1 s against 9.2-11.0 s per fit, for the same probabilities), and scikit-learn
    # 1.9 cannot bin an all-missing column. The model leaves such features out; the full catalog is still recorded
    # for the feature check. Missing beside one value is two values (the trees can send missing values their own way).
    informative = informative_columns(train_rows)
    if not informative.all():
        spec = spec.subset([n for n, keep in zip(spec.names, informative, strict=True) if keep])
        train_rows = train_rows[:, informative]
    # rows and columns in one selection each: no second copy of the whole matrix (200 MB at 250,000 examples)
    calibration_rows = matrix[np.ix_(calib, informative)]
    holdout_rows = np.asfortranarray(matrix[np.ix_(hold, informative)])
    del matrix  # every later step reads the selections, which together hold each row once

    leaks = leaking_features(train_rows, y[train], spec.names, settings.leakage_auc_threshold)
    if leaks:
        listed = ", ".join(f"{name} (AUC {auc:.3f} on its own)" for name, auc in leaks)
        return TrainingResult(
            STATUS_LEAKAGE,
            f"{prediction_name}: not trained, features that predict the label almost perfectly on their own were "
            f"probably built from the outcome window: {listed}.",
            None,
            spec,
            {},
            None,
            counts,
        )

    trees = HistGradientBoostingClassifier(**settings.tree_parameters())
    trees.fit(train_rows, y[train])
    calibrated = CalibratedClassifierCV(FrozenEstimator(trees), method="sigmoid")
    calibrated.fit(calibration_rows, y[calib])

    p_hold = predict_probability(calibrated, holdout_rows)
    metrics = evaluate(y[hold], p_hold)
    metrics["log_loss_uncalibrated"] = evaluate(y[hold], trees.predict_proba(holdout_rows)[:, 1])["log_loss"]
    metrics["trees"] = int(trees.n_iter_)
    lift = lift_gains(y[hold], p_hold)
    calibration = calibration_bins(y[hold], p_hold)
    metrics["expected_calibration_error"] = expected_calibration_error(calibration)

    from customer_ai.explain import mean_absolute_shap  # local import: shap is slow to import

    sample = holdout_rows[:5000]
    importance = dict(zip(spec.names, mean_absolute_shap(trees, sample), strict=True))

    if not metrics["auc"] >= settings.poor_auc_threshold:
        status = STATUS_POOR
        message = (
            f"{prediction_name}: holdout AUC {metrics['auc']:.3f} is below {settings.poor_auc_threshold} "
            "(customer_ai__poor_auc_threshold); scores are written but should not be trusted."
        )
    else:
        status = STATUS_TRAINED
        message = f"{prediction_name}: holdout AUC {metrics['auc']:.3f} on {counts['holdout_rows']:,} examples."
    return TrainingResult(status, message, calibrated, spec, metrics, lift, counts, importance, calibration)
