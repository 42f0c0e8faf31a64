"""The model registry: trained models stored in the warehouse, serialized with skops.

Loading a model never runs arbitrary code (unlike pickle): before skops rebuilds anything, every type the file
names (objects, types referenced as values, functions) is read from its schema and compared with ALLOWED_TYPES,
exactly what a calibrated HistGradientBoosting model of this project is made of. A file that names anything else
(a LogisticRegression, a FunctionTransformer around os.system) is refused, whatever skops itself would trust.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from importlib import metadata

import skops.io as sio
from sklearn.calibration import CalibratedClassifierCV

# What a stored model is made of (the skops schema of a CalibratedClassifierCV around a frozen
# HistGradientBoostingClassifier), and nothing else.
ALLOWED_TYPES = frozenset(
    {
        "builtins.dict",
        "builtins.list",
        "builtins.tuple",
        "builtins.str",
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "builtins.NoneType",
        "numpy.ndarray",
        "numpy.dtype",
        "numpy.float64",
        "numpy.float32",
        "numpy.int64",
        "numpy.int32",
        "numpy.uint64",
        "numpy.uint32",
        "numpy.uint8",
        "numpy.bool_",
        "numpy.random._generator.Generator",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.frozen._frozen.FrozenEstimator",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.preprocessing._label.LabelEncoder",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss._loss.CyHalfBinomialLoss",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.Interval",
    }
)


class UntrustedModelError(ValueError):
    """A stored model names types outside ALLOWED_TYPES: it is not loaded."""


class FeatureMismatchError(ValueError):
    """The stored model was trained when the feature table had other features than it has now."""


def serialize(model: CalibratedClassifierCV) -> bytes:
    return sio.dumps(model)


def stored_types(blob: bytes) -> set[str]:
    """Every type a skops file names, read from its schema without loading anything: the objects' classes, the
    types stored as values and the functions it refers to."""
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UntrustedModelError(f"not a skops model file ({error})") from error
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__module__" in node and "__class__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            if node.get("__loader__") in {"FunctionNode", "MethodNode"} and isinstance(node.get("content"), dict):
                content = node["content"]
                found.add(f"{content.get('module_path', content.get('module', '?'))}.{content.get('function', '?')}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def deserialize(blob: bytes, prediction: str = "?", model_run_id: str = "?") -> CalibratedClassifierCV:
    """Load a stored model, refusing any file that names a type outside ALLOWED_TYPES."""
    try:
        found = stored_types(blob)
    except UntrustedModelError as error:
        raise UntrustedModelError(
            f"Prediction '{prediction}': model {model_run_id} cannot be read: {error}. Retrain it: run dbt build "
            "with --vars '{customer_ai__retrain_policy: always}'."
        ) from error
    outside = sorted(found - ALLOWED_TYPES)
    if outside:
        raise UntrustedModelError(
            f"Prediction '{prediction}': model {model_run_id} holds types outside the project's list of model types "
            f"({', '.join(outside)}); refusing to load it (customer_ai/registry.py, ALLOWED_TYPES). Retrain it: run "
            "dbt build with --vars '{customer_ai__retrain_policy: always}'."
        )
    return sio.loads(blob, trusted=sorted(found))


def library_versions() -> dict[str, str]:
    names = ["scikit-learn", "shap", "skops", "numpy", "pandas", "pyarrow", "dbt-core"]  # the engine adds its own
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
            model=deserialize(bytes(row["model_blob"]), row["prediction_name"], row["model_run_id"]),
        )
