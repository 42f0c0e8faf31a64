"""What the dbt Python models of the propensity step call: thin glue between warehouse relations and the library.

Each function takes plain Python objects (DataFrames, dicts) and returns Arrow data with an explicit schema, so
the warehouse types never depend on what pandas guessed (an all-null pandas column would otherwise become DuckDB
type NULL). Scoring and explaining are functions from a stream of pandas batches to Arrow record batches, which
customer_ai.engine applies in this process (DuckDB) or on the executors (Spark).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from customer_ai import explain, progress, registry
from customer_ai.features import FeatureSpec
from customer_ai.propensity import (
    STATUS_POOR,
    STATUS_TRAINED,
    TrainingSettings,
    probability_and_raw_score,
    train_prediction,
    tree_model,
)
from customer_ai.retrain import should_retrain

USABLE_STATUSES = (STATUS_TRAINED, STATUS_POOR)


@dataclass(frozen=True)
class RegistryRow:
    """One training run in the model registry (ml_propensity_models_trained): the columns, in order, with their
    types; REGISTRY_SCHEMA is derived from these fields, so the row and the table cannot drift apart."""

    model_run_id: str
    prediction_name: str
    propensity_type: str
    status: str
    status_message: str | None
    trained_at: dt.datetime
    latest_training_snapshot: dt.date | None
    training_examples: int | None
    training_positives: int | None
    training_negatives: int | None
    train_rows: int | None
    calibration_rows: int | None
    holdout_rows: int | None
    holdout_positives: int | None
    auc: float | None
    log_loss: float | None
    log_loss_uncalibrated: float | None
    brier: float | None
    positive_rate: float | None
    expected_calibration_error: float | None
    trees: int | None
    feature_names: str  # JSON lists and mappings from here on
    catalog_features: str
    categorical_levels: str
    hyperparameters: str
    library_versions: str
    lift_gains: str | None
    calibration_bins: str | None
    global_importance: str | None
    training_seconds: float
    model_blob: bytes | None  # the calibrated model, skops


def arrow_schema(row_type: type) -> pa.Schema:
    """The Arrow schema of a dataclass of plain fields (str, int, float, datetime, date, bytes; None allowed)."""
    arrow_types = {
        str: pa.string(),
        int: pa.int64(),
        float: pa.float64(),
        dt.datetime: pa.timestamp("us"),
        dt.date: pa.date32(),
        bytes: pa.binary(),
    }
    hints = typing.get_type_hints(row_type)
    fields = []
    for f in dataclasses.fields(row_type):
        python_type = next(t for t in typing.get_args(hints[f.name]) or (hints[f.name],) if t is not type(None))
        fields.append((f.name, arrow_types[python_type]))
    return pa.schema(fields)


REGISTRY_SCHEMA = arrow_schema(RegistryRow)

SCORES_SCHEMA = pa.schema(
    [
        ("prediction_name", pa.string()),
        ("profile_id", pa.string()),
        ("model_run_id", pa.string()),
        ("probability", pa.float64()),
        ("raw_score", pa.float64()),
        ("as_of_date", pa.date32()),
        ("scored_at", pa.timestamp("us")),
    ]
)

REASONS_SCHEMA = pa.schema(
    [
        ("prediction_name", pa.string()),
        ("profile_id", pa.string()),
        ("model_run_id", pa.string()),
        ("factor_rank", pa.int32()),
        ("factor_code", pa.string()),
        ("factor_label", pa.string()),
        ("factor_value", pa.float64()),
        ("factor_value_text", pa.string()),
        ("contribution", pa.float64()),
        ("direction", pa.string()),
        ("importance", pa.string()),
    ]
)

LIFT_SCHEMA = pa.schema(
    [
        ("prediction_name", pa.string()),
        ("model_run_id", pa.string()),
        ("decile", pa.int32()),
        ("profiles", pa.int64()),
        ("positives", pa.int64()),
        ("positive_rate", pa.float64()),
        ("mean_probability", pa.float64()),
        ("lift", pa.float64()),
        ("cumulative_gain", pa.float64()),
    ]
)

IMPORTANCE_SCHEMA = pa.schema(
    [
        ("prediction_name", pa.string()),
        ("model_run_id", pa.string()),
        ("feature_name", pa.string()),
        ("mean_absolute_contribution", pa.float64()),
        ("importance_rank", pa.int32()),
    ]
)


def json_setting(value: Any) -> Any:
    """A list or mapping var as a Python model's config receives it: JSON text rendered by dbt's tojson."""
    return json.loads(value) if isinstance(value, str) else value


def parse_predictions(value: Any) -> list[tuple[str, str]]:
    """customer_ai__predictions (JSON, validated by dbt before any model runs) -> [(name, propensity_type)]."""
    return [(p["name"], p["propensity_type"]) for p in json_setting(value)]


def _json(value) -> str:
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, np.generic):
            return clean(v.item())
        return v

    if isinstance(value, dict):
        return json.dumps({k: clean(v) for k, v in value.items()})
    return json.dumps(value, default=clean)


def registry_row(
    name: str,
    kind: str,
    result,
    trained_at: dt.datetime,
    latest_snapshot,
    seconds: float,
    settings: TrainingSettings,
    catalog_features: list[str],
    engine_versions: dict[str, str] | None = None,
) -> RegistryRow:
    m = result.metrics
    c = result.counts

    def metric(key):
        v = m.get(key)
        return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v)

    return RegistryRow(
        model_run_id=f"{name}__{trained_at:%Y%m%dT%H%M%S}",
        prediction_name=name,
        propensity_type=kind,
        status=result.status,
        status_message=result.message,
        trained_at=trained_at.replace(tzinfo=None),
        latest_training_snapshot=latest_snapshot,
        training_examples=c.get("examples"),
        training_positives=c.get("positives"),
        training_negatives=c.get("negatives"),
        train_rows=c.get("train_rows"),
        calibration_rows=c.get("calibration_rows"),
        holdout_rows=c.get("holdout_rows"),
        holdout_positives=c.get("holdout_positives"),
        auc=metric("auc"),
        log_loss=metric("log_loss"),
        log_loss_uncalibrated=metric("log_loss_uncalibrated"),
        brier=metric("brier"),
        positive_rate=metric("positive_rate"),
        expected_calibration_error=metric("expected_calibration_error"),
        trees=int(m["trees"]) if "trees" in m else None,
        feature_names=json.dumps(result.features.names),
        catalog_features=json.dumps(catalog_features),
        categorical_levels=json.dumps(result.features.categorical_levels),
        hyperparameters=_json(settings.hyperparameters()),
        library_versions=_json({**registry.library_versions(), **(engine_versions or {})}),
        lift_gains=result.lift.to_json(orient="records") if result.lift is not None else None,
        # 15 digits (pandas' default is 10): rpt_calibration and the report show what the evaluation computed
        calibration_bins=(
            result.calibration.to_json(orient="records", double_precision=15)
            if result.calibration is not None
            else None
        ),
        global_importance=_json(result.global_importance) if result.global_importance else None,
        training_seconds=seconds,
        model_blob=registry.serialize(result.model) if result.model is not None else None,
    )


@dataclass
class FeatureCatalog:
    names: list[str]
    categorical: list[str]
    labels: dict[str, str]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> FeatureCatalog:
        frame = frame.sort_values("feature_position")
        return cls(
            names=frame["feature_name"].tolist(),
            categorical=frame.loc[frame["value_type"] == "categorical", "feature_name"].tolist(),
            labels=dict(zip(frame["feature_name"], frame["feature_label"], strict=True)),
        )


def train_all(
    predictions: list[tuple[str, str]],
    read_examples: Callable[[str], pd.DataFrame],
    catalog: FeatureCatalog,
    settings: TrainingSettings,
    last_trained: dict[str, dt.datetime],
    policy: str,
    after_days: int,
    now: dt.datetime,
    log: Callable[[str], None] = progress.log,
    engine_versions: dict[str, str] | None = None,
) -> pa.Table:
    """Registry rows for the predictions that the retrain policy says to (re)train."""
    rows = []
    for name, kind in predictions:
        retrain, why = should_retrain(policy, after_days, last_trained.get(name), now)
        if not retrain:
            log(f"{name}: keeping the stored model ({why})")
            continue
        started = dt.datetime.now(dt.UTC)
        examples = read_examples(name)
        log(f"{name}: training on {len(examples):,} examples ({why})")
        result = train_prediction(examples, catalog.names, catalog.categorical, settings, name)
        seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
        latest = pd.to_datetime(examples["snapshot_date"]).max().date() if len(examples) else None
        log(f"{name}: {result.status} in {seconds:.1f}s: {result.message}")
        row = registry_row(name, kind, result, now, latest, seconds, settings, catalog.names, engine_versions)
        rows.append(dataclasses.asdict(row))
    return pa.Table.from_pylist(rows, schema=REGISTRY_SCHEMA)


def latest_attempts(registry_frame: pd.DataFrame) -> dict[str, dict]:
    """The newest registry row of each prediction."""
    if registry_frame.empty:
        return {}
    newest = (
        registry_frame.sort_values(["prediction_name", "trained_at", "model_run_id"]).groupby("prediction_name").tail(1)
    )
    return {row["prediction_name"]: row for row in newest.to_dict("records")}


def load_model_for_scoring(
    name: str, attempt: dict | None, catalog: FeatureCatalog, log: Callable[[str], None] = progress.log
) -> registry.StoredModel | None:
    """The stored model to score with, or None (no model, or the latest attempt had no usable model)."""
    if attempt is None:
        log(f"{name}: no model in the registry; no scores")
        return None
    if attempt["status"] not in USABLE_STATUSES or not isinstance(attempt["model_blob"], bytes | bytearray):
        log(f"{name}: latest model run {attempt['model_run_id']} is '{attempt['status']}'; no scores")
        return None
    stored = registry.StoredModel.from_row(attempt)
    registry.check_features(name, stored.model_run_id, stored.catalog_features, catalog.names)
    return stored


# what identifies a row of the scoring relation, beside its features
SCORING_KEYS = ["profile_id", "snapshot_date"]


def feature_batches(frames: Iterable[pd.DataFrame], spec: FeatureSpec) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """(keys, matrix) per batch of rows of the scoring relation."""
    for frame in frames:
        if len(frame):
            yield frame[SCORING_KEYS], spec.matrix(frame)


def score_batches(
    name: str, stored: registry.StoredModel, batches: Iterable[tuple[pd.DataFrame, np.ndarray]], scored_at: dt.datetime
) -> Iterator[pa.RecordBatch]:
    for keys, matrix in batches:
        probability, raw = probability_and_raw_score(stored.model, matrix)
        frame = pd.DataFrame(
            {
                "prediction_name": name,
                "profile_id": keys["profile_id"].to_numpy(),
                "model_run_id": stored.model_run_id,
                "probability": probability,
                "raw_score": raw,
                "as_of_date": pd.to_datetime(keys["snapshot_date"]).dt.date.to_numpy(),
                "scored_at": scored_at.replace(tzinfo=None),
            }
        )
        yield pa.RecordBatch.from_pandas(frame, schema=SCORES_SCHEMA, preserve_index=False)


def reason_batches(
    name: str,
    stored: registry.StoredModel,
    batches: Iterable[tuple[pd.DataFrame, np.ndarray]],
    labels: dict[str, str],
    k: int,
    n_jobs: int = 1,
) -> Iterator[pa.RecordBatch]:
    spec = FeatureSpec(stored.feature_names, stored.categorical_levels)
    trees = tree_model(stored.model)
    for explained in explain.explain_batches(trees, batches, spec, labels, k, n_jobs=n_jobs):
        factors = explained.drop(columns=["snapshot_date"])
        factors.insert(0, "prediction_name", name)
        factors.insert(2, "model_run_id", stored.model_run_id)
        yield pa.RecordBatch.from_pandas(factors, schema=REASONS_SCHEMA, preserve_index=False)


def scorer(name: str, stored: registry.StoredModel, scored_at: dt.datetime):
    """A function from batches of scoring rows (pandas) to score record batches: what the engine maps."""
    spec = FeatureSpec(stored.feature_names, stored.categorical_levels)

    def score(frames: Iterable[pd.DataFrame]) -> Iterator[pa.RecordBatch]:
        yield from score_batches(name, stored, feature_batches(frames, spec), scored_at)

    return score


def explainer(name: str, stored: registry.StoredModel, labels: dict[str, str], k: int, n_jobs: int):
    """A function from batches of scoring rows (pandas) to reason-code record batches: what the engine maps."""
    spec = FeatureSpec(stored.feature_names, stored.categorical_levels)

    def explain_rows(frames: Iterable[pd.DataFrame]) -> Iterator[pa.RecordBatch]:
        yield from reason_batches(name, stored, feature_batches(frames, spec), labels, k, n_jobs)

    return explain_rows


def lift_table(attempts: dict[str, dict]) -> pa.Table:
    rows = []
    for name, attempt in attempts.items():
        if isinstance(attempt.get("lift_gains"), str):  # null (no model) arrives from pandas as NaN
            for r in json.loads(attempt["lift_gains"]):
                rows.append({"prediction_name": name, "model_run_id": attempt["model_run_id"], **r})
    return pa.Table.from_pylist(rows, schema=LIFT_SCHEMA)


CALIBRATION_SCHEMA = pa.schema(
    [
        ("prediction_name", pa.string()),
        ("model_run_id", pa.string()),
        ("probability_bin", pa.int32()),
        ("bin_lower", pa.float64()),
        ("bin_upper", pa.float64()),
        ("profiles", pa.int64()),
        ("mean_predicted_probability", pa.float64()),
        ("observed_rate", pa.float64()),
    ]
)


def calibration_table(attempts: dict[str, dict]) -> pa.Table:
    """The holdout calibration bins of each prediction's latest run."""
    rows = []
    for name, attempt in attempts.items():
        if isinstance(attempt.get("calibration_bins"), str):  # null (no model) arrives from pandas as NaN
            for r in json.loads(attempt["calibration_bins"]):
                rows.append({"prediction_name": name, "model_run_id": attempt["model_run_id"], **r})
    return pa.Table.from_pylist(rows, schema=CALIBRATION_SCHEMA)


def importance_table(attempts: dict[str, dict]) -> pa.Table:
    rows = []
    for name, attempt in attempts.items():
        if isinstance(attempt.get("global_importance"), str):
            ranked = sorted(json.loads(attempt["global_importance"]).items(), key=lambda kv: -(kv[1] or 0))
            for rank, (feature, value) in enumerate(ranked, start=1):
                rows.append(
                    {
                        "prediction_name": name,
                        "model_run_id": attempt["model_run_id"],
                        "feature_name": feature,
                        "mean_absolute_contribution": value,
                        "importance_rank": rank,
                    }
                )
    return pa.Table.from_pylist(rows, schema=IMPORTANCE_SCHEMA)


def usable_models(
    predictions: list[tuple[str, str]], attempts: dict[str, dict], catalog: FeatureCatalog
) -> Iterator[tuple[str, registry.StoredModel]]:
    """(name, stored model) of each prediction whose latest run has a usable model (and the same features)."""
    for name, _kind in predictions:
        stored = load_model_for_scoring(name, attempts.get(name), catalog)
        if stored is not None:
            yield name, stored


def explanations_use_workers(engine, scoring_relation, processes: int, batch_rows: int) -> bool:
    """Whether explaining these scoring rows will fork worker processes (explain.uses_workers) for some prediction."""
    if processes <= 1:  # no workers whatever the rows: no need to count them (on Spark, a job)
        return False
    counts = engine.aggregate(scoring_relation, ["count(*) as scoring_rows"], ["prediction_name"])
    batches = -(-counts["scoring_rows"] // batch_rows)  # ceiling: a last, partial batch is a batch
    return any(explain.uses_workers(int(n), processes) for n in batches)


def map_over_scoring_rows(
    engine, scoring_relation, predictions, attempts, catalog, schema, make_function, batch_rows, step="scoring"
):
    """Apply make_function(name, stored)'s batch function to each usable prediction's scoring rows (ordered by
    profile, batch_rows at a time), and return the engine's result of all of them. `step` names the work in the
    progress messages. Only the keys and the model's own features are read: a model leaves out the features that
    were empty or constant in its training rows (48 of 114 at a million profiles)."""
    results = [
        engine.map_batches(
            scoring_relation,
            make_function(name, stored),
            schema,
            where=f"prediction_name = '{name}'",
            order_by="profile_id",
            batch_rows=batch_rows,
            step=f"{step} {name}",
            columns=[*SCORING_KEYS, *stored.feature_names],
        )
        for name, stored in usable_models(predictions, attempts, catalog)
    ]
    return engine.chain(schema, results)
