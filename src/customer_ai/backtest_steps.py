"""Backtests: what the dbt Python models ml_propensity_backtests_trained and ml_propensity_backtest_scores call.

A backtest of a prediction at a past date D trains a model exactly as a build with as-of date D would (the
examples come from int_backtest_training_examples_sampled: snapshots whose outcome windows closed by D), then
scores the profiles eligible at D and keeps, beside each probability, what actually happened in the outcome window
after D. The SQL reports (rpt_backtest, rpt_backtest_by_bucket, rpt_calibration) compare the two.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator

import pandas as pd
import pyarrow as pa

from customer_ai import progress, propensity_steps, registry
from customer_ai.features import FeatureSpec
from customer_ai.propensity import TrainingSettings, predict_probability, train_prediction

BACKTEST_MODELS_SCHEMA = pa.schema([("backtest_date", pa.date32()), *propensity_steps.REGISTRY_SCHEMA])

BACKTEST_SCORES_SCHEMA = pa.schema(
    [
        ("prediction_name", pa.string()),
        ("backtest_date", pa.date32()),
        ("profile_id", pa.string()),
        ("model_run_id", pa.string()),
        ("probability", pa.float64()),
        ("label", pa.int32()),
    ]
)


def run_id(name: str, backtest_date: dt.date) -> str:
    """A backtest's model run id: deterministic, so that two builds (and two engines) name it alike."""
    return f"{name}__backtest__{backtest_date:%Y%m%d}"


def train_all(
    predictions: list[tuple[str, str]],
    backtest_dates: dict[str, list[dt.date]],
    read_examples: Callable[[str, dt.date], pd.DataFrame],
    catalog: propensity_steps.FeatureCatalog,
    settings: TrainingSettings,
    now: dt.datetime,
    log: Callable[[str], None] = progress.log,
    engine_versions: dict[str, str] | None = None,
) -> pa.Table:
    """One model per prediction and backtest date, with its status (a backtest may lack data: insufficient_data)."""
    rows = []
    total = sum(len(backtest_dates.get(name, [])) for name, _ in predictions)
    for name, kind in predictions:
        for day in sorted(backtest_dates.get(name, [])):
            started = dt.datetime.now(dt.UTC)
            examples = read_examples(name, day)
            label = f"{name} backtest at {day}"
            log(f"backtest {len(rows) + 1}/{total}: {label}: training on {len(examples):,} examples")
            result = train_prediction(examples, catalog.names, catalog.categorical, settings, label)
            seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
            latest = pd.to_datetime(examples["snapshot_date"]).max().date() if len(examples) else None
            log(f"backtest {len(rows) + 1}/{total}: {label}: {result.status} in {seconds:.1f}s")
            row = propensity_steps.registry_row(
                name, kind, result, now, latest, seconds, settings, catalog.names, engine_versions
            )
            rows.append({"backtest_date": day, **dataclasses.asdict(row), "model_run_id": run_id(name, day)})
    return pa.Table.from_pylist(rows, schema=BACKTEST_MODELS_SCHEMA)


def scorer(name: str, backtest_date: dt.date, stored: registry.StoredModel):
    """A function from batches of evaluation rows (pandas) to backtest score record batches."""
    spec = FeatureSpec(stored.feature_names, stored.categorical_levels)

    def score(frames: Iterable[pd.DataFrame]) -> Iterator[pa.RecordBatch]:
        for frame in frames:
            if not len(frame):
                continue
            probability = predict_probability(stored.model, spec.matrix(frame))
            yield pa.RecordBatch.from_pandas(
                pd.DataFrame(
                    {
                        "prediction_name": name,
                        "backtest_date": backtest_date,
                        "profile_id": frame["profile_id"].to_numpy(),
                        "model_run_id": stored.model_run_id,
                        "probability": probability,
                        "label": frame["label"].astype("int32").to_numpy(),
                    }
                ),
                schema=BACKTEST_SCORES_SCHEMA,
                preserve_index=False,
            )

    return score


def usable_models(models: pd.DataFrame) -> Iterator[tuple[str, dt.date, registry.StoredModel]]:
    """(prediction, backtest date, model) of every backtest whose model could be trained."""
    for row in models.sort_values(["prediction_name", "backtest_date"]).to_dict("records"):
        if row["status"] in propensity_steps.USABLE_STATUSES and isinstance(row["model_blob"], bytes | bytearray):
            yield row["prediction_name"], pd.Timestamp(row["backtest_date"]).date(), registry.StoredModel.from_row(row)
