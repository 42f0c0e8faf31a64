"""The model registry: trained models stored in the warehouse, serialized with skops.

skops loads only the types it is told to trust, so reading a model from the warehouse never runs arbitrary code
(unlike pickle). The trusted list below is exactly what a calibrated HistGradientBoosting model is made of.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata

import skops.io as sio
from sklearn.calibration import CalibratedClassifierCV

TRUSTED_TYPES = [
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.Interval",
]


class FeatureMismatchError(ValueError):
    """The stored model was trained when the feature table had other features than it has now."""


def serialize(model: CalibratedClassifierCV) -> bytes:
    return sio.dumps(model)


def deserialize(blob: bytes) -> CalibratedClassifierCV:
    untrusted = [t for t in sio.get_untrusted_types(data=blob) if t not in TRUSTED_TYPES]
    if untrusted:
        raise ValueError(f"refusing to load a model that contains untrusted types: {', '.join(untrusted)}")
    return sio.loads(blob, trusted=sio.get_untrusted_types(data=blob))


def library_versions() -> dict[str, str]:
    names = ["scikit-learn", "shap", "skops", "numpy", "pandas", "duckdb", "dbt-core", "dbt-duckdb"]
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def check_features(prediction: str, model_run_id: str, trained_on: list[str], available: list[str]) -> None:
    """Refuse to score with a model whose feature list is not the one the warehouse has now."""
    if list(trained_on) == list(available):
        return
    missing = [f for f in trained_on if f not in available]
    new = [f for f in available if f not in trained_on]
    detail = []
    if missing:
        detail.append(f"missing now: {', '.join(missing)}")
    if new:
        detail.append(f"new since training: {', '.join(new)}")
    if not missing and not new:
        detail.append("same features in another order")
    raise FeatureMismatchError(
        f"Prediction '{prediction}': model {model_run_id} was trained on {len(trained_on)} features that no longer "
        f"match the {len(available)} in int_profile_snapshots_featurized ({'; '.join(detail)}). Retrain it: run "
        "dbt build with --vars '{customer_ai__retrain_policy: always}'."
    )


@dataclass(frozen=True)
class StoredModel:
    """A registry row, decoded."""

    prediction_name: str
    model_run_id: str
    feature_names: list[str]
    catalog_features: list[str]
    categorical_levels: dict[str, list[str]]
    model: CalibratedClassifierCV

    @classmethod
    def from_row(cls, row: dict) -> StoredModel:
        return cls(
            prediction_name=row["prediction_name"],
            model_run_id=row["model_run_id"],
            feature_names=json.loads(row["feature_names"]),
            catalog_features=json.loads(row["catalog_features"]),
            categorical_levels=json.loads(row["categorical_levels"] or "{}"),
            model=deserialize(bytes(row["model_blob"])),
        )
