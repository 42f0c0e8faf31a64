"""Backtests: what the dbt Python models ml_propensity_backtests_trained and ml_propensity_backtest_scores call.

A backtest of a prediction at a past date D trains a model exactly as a build with as-of date D would (the
examples come from int_backtest_training_examples_sampled: snapshots whose outcome windows closed by D), then
scores the profiles eligible at D and keeps, beside each probability, what actually happened in the outcome window
after D. The SQL reports (rpt_backtest, rpt_backtest_by_bucket, rpt_calibration) compare the two.

A backtest's fit depends only on its examples, the feature catalog, the settings and the training code, and it is
deterministic (fixed seed). So a build keeps the model the previous build fitted at the same date when the
fingerprint of all of these is unchanged, and fits only the dates that are new or whose inputs changed (late events,
a new feature, a new setting or library version). The backtest dates sit on a fixed grid
(macros/config/snapshot_plan.sql), so a daily build fits a new backtest once every customer_ai__snapshot_spacing_days.
Its scores likewise: they depend on the model (its training fingerprint) and the evaluation rows, whose digest the
engine computes, so a build keeps the previous build's scores of a backtest when both are unchanged. (The evaluation
rows change more often than the examples: late events in an outcome window that has not closed yet.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa

from customer_ai import progress, propensity_steps, registry, retrain
from customer_ai.features import FeatureSpec
from customer_ai.propensity import TrainingSettings, predict_probability, train_prediction

BACKTEST_MODELS_SCHEMA = pa.schema(
    [("backtest_date", pa.date32()), *propensity_steps.REGISTRY_SCHEMA, ("training_fingerprint", pa.string())]
)

# the code a kept row depends on besides its inputs, a change to which refits every backtest: the fit itself, and
# the making of the row from it (metrics, JSON formats, the serialized blob)
TRAINING_CODE = [
    Path(__file__).with_name(name)
    for name in (
        "propensity.py",
        "hgb_binning.py",
        "features.py",
        "propensity_steps.py",
        "registry.py",
        "backtest_steps.py",
    )
]

BACKTEST_SCORES_SCHEMA = pa.schema(
    [
        ("prediction_name", pa.string()),
        ("backtest_date", pa.date32()),
        ("profile_id", pa.string()),
        ("model_run_id", pa.string()),
        ("probability", pa.float64()),
        ("label", pa.int32()),
        # the model and the evaluation rows the scores come from (scoring_fingerprint): equal means same scores
        ("scoring_fingerprint", pa.string()),
    ]
)


def run_id(name: str, backtest_date: dt.date) -> str:
    """A backtest's model run id: deterministic, so that two builds (and two engines) name it alike."""
    return f"{name}__backtest__{backtest_date:%Y%m%d}"


@dataclasses.dataclass(frozen=True)
class ExamplesDigest:
    """A backtest's examples as the engine digests them (content_digests), without reading them: their count, the
    order-free digest of their rows and the columns it covers."""

    row_count: int
    content_digest: str | None
    columns: tuple[str, ...]


def digests_by_backtest(digests: pd.DataFrame) -> dict[tuple[str, dt.date], dict]:
    """The engine's content_digests grouped by prediction_name and backtest_date, by (prediction, backtest date)."""
    return {
        (row["prediction_name"], pd.Timestamp(row["backtest_date"]).date()): row for row in digests.to_dict("records")
    }


def examples_digests(digests: pd.DataFrame, columns: list[str]) -> Callable[[str, dt.date], ExamplesDigest]:
    """Each backtest's ExamplesDigest, from the engine's content_digests of the examples (by prediction_name and
    backtest_date, over `columns`); a backtest without examples has none (count 0)."""
    found = digests_by_backtest(digests)

    def digest(name: str, backtest_date: dt.date) -> ExamplesDigest:
        row = found.get((name, backtest_date), {"row_count": 0, "content_digest": None})
        return ExamplesDigest(int(row["row_count"]), row["content_digest"], tuple(columns))

    return digest


def training_fingerprint(
    name: str,
    kind: str,
    examples: ExamplesDigest,
    catalog: propensity_steps.FeatureCatalog,
    settings: TrainingSettings,
) -> str:
    """A digest of everything a backtest's fit depends on: the examples (the engine's digest of their values, in no
    order), the features it may use, the settings, the training code and the libraries' versions. The engine digests
    the examples where they are, so a kept backtest is never read: the examples' record of what they were drawn from
    (inputs_fingerprint) is left out of it, as the same rows drawn again under other rules fit the same."""
    described = {
        "prediction": [name, kind],
        "features": [catalog.names, catalog.categorical],
        "settings": dataclasses.asdict(settings),
        "examples": [examples.row_count, examples.content_digest, list(examples.columns)],
        # the versions the registry row records (scikit-learn, skops, numpy, pandas, ...)
        "libraries": registry.library_versions(),
    }
    return retrain.fingerprint(described, TRAINING_CODE)


def stored_fits(stored: pa.Table | None) -> dict[tuple[str, dt.date], dict]:
    """The previous build's backtest rows by (prediction, backtest date), as Python values of this table's schema;
    none from a table of another shape (written before fingerprints were kept)."""
    if stored is None or stored.schema.names != BACKTEST_MODELS_SCHEMA.names:
        return {}
    return {
        (row["prediction_name"], row["backtest_date"]): row
        for row in stored.cast(BACKTEST_MODELS_SCHEMA).to_pylist()
        if row["training_fingerprint"] is not None
    }


def train_all(
    predictions: list[tuple[str, str]],
    backtest_dates: dict[str, list[dt.date]],
    read_examples: Callable[[str, dt.date], pd.DataFrame],
    digest_examples: Callable[[str, dt.date], ExamplesDigest],
    catalog: propensity_steps.FeatureCatalog,
    settings: TrainingSettings,
    now: dt.datetime,
    log: Callable[[str], None] = progress.log,
    engine_versions: dict[str, str] | None = None,
    stored: pa.Table | None = None,
) -> pa.Table:
    """One model per prediction and backtest date, with its status (a backtest may lack data: insufficient_data).
    `stored`: the previous build's table, whose fits are kept where the training fingerprint is unchanged: a kept
    backtest's examples are digested by the engine (`digest_examples`), never read (`read_examples`)."""
    rows = []
    previous = stored_fits(stored)
    total = sum(len(backtest_dates.get(name, [])) for name, _ in predictions)
    for name, kind in predictions:
        for day in sorted(backtest_dates.get(name, [])):
            started = dt.datetime.now(dt.UTC)
            fingerprint = training_fingerprint(name, kind, digest_examples(name, day), catalog, settings)
            step, label = f"backtest {len(rows) + 1}/{total}", f"{name} backtest at {day}"
            kept = previous.get((name, day))
            if kept is not None and kept["training_fingerprint"] == fingerprint:
                log(f"{step}: {label}: kept the model fitted at {kept['trained_at']} (same examples and settings)")
                rows.append(kept)
                continue
            examples = read_examples(name, day)
            log(f"{step}: {label}: training on {len(examples):,} examples")
            result = train_prediction(examples, catalog.names, catalog.categorical, settings, label)
            seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
            latest = pd.to_datetime(examples["snapshot_date"]).max().date() if len(examples) else None
            log(f"{step}: {label}: {result.status} in {seconds:.1f}s")
            row = propensity_steps.registry_row(
                name, kind, result, now, latest, seconds, settings, catalog.names, engine_versions
            )
            rows.append(
                {
                    "backtest_date": day,
                    **dataclasses.asdict(row),
                    "model_run_id": run_id(name, day),
                    "training_fingerprint": fingerprint,
                }
            )
    return pa.Table.from_pylist(rows, schema=BACKTEST_MODELS_SCHEMA)


def scoring_fingerprint(training_fingerprint: str, row_count: int, content_digest: str) -> str:
    """A digest of what a backtest's scores depend on: its model (through the training fingerprint, which covers the
    scoring code too) and its evaluation rows (their count and the engine's digest of their content)."""
    described = [training_fingerprint, int(row_count), str(content_digest)]
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()


def scored_columns(stored: registry.StoredModel) -> list[str]:
    """The columns of the evaluation rows that scoring a backtest reads: keys, label and the model's own features."""
    return ["profile_id", "label", *stored.feature_names]


def scorer(name: str, backtest_date: dt.date, stored: registry.StoredModel, fingerprint: str):
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
                        "scoring_fingerprint": fingerprint,
                    }
                ),
                schema=BACKTEST_SCORES_SCHEMA,
                preserve_index=False,
            )

    return score


@dataclasses.dataclass(frozen=True)
class BacktestToScore:
    name: str
    backtest_date: dt.date
    model: registry.StoredModel
    fingerprint: str  # scoring_fingerprint of its model and evaluation rows
    row_count: int  # its evaluation rows, as the engine counted them for the digest

    @property
    def where(self) -> str:
        """Its rows, in the evaluation rows and in the scores."""
        return f"prediction_name = '{self.name}' and backtest_date = date '{self.backtest_date:%Y-%m-%d}'"


def usable_models(models: pd.DataFrame, evaluation_digests: pd.DataFrame) -> Iterator[BacktestToScore]:
    """Every backtest whose model could be trained, with the fingerprint of its scores. `evaluation_digests`: the
    engine's content_digests of the evaluation rows by prediction_name and backtest_date (a backtest without
    evaluation rows has none: it scores nobody)."""
    digests = digests_by_backtest(evaluation_digests)
    for row in models.sort_values(["prediction_name", "backtest_date"]).to_dict("records"):
        key = (row["prediction_name"], pd.Timestamp(row["backtest_date"]).date())
        if row["status"] in propensity_steps.USABLE_STATUSES and isinstance(row["model_blob"], bytes | bytearray):
            digest = digests.get(key, {"row_count": 0, "content_digest": None})
            fingerprint = scoring_fingerprint(
                row["training_fingerprint"], digest["row_count"], digest["content_digest"]
            )
            yield BacktestToScore(*key, registry.StoredModel.from_row(row), fingerprint, int(digest["row_count"]))


def kept_scores(stored: Callable[[str], pa.Table | None], backtest: BacktestToScore) -> pa.Table | None:
    """The previous build's scores of a backtest if they have its fingerprint (same model, same evaluation rows),
    else None. `stored(where)`: the rows of the previous build's scores table that match a filter (None without
    one, or from a table written before the fingerprints were kept)."""
    shape = stored("false")
    if shape is None or "scoring_fingerprint" not in shape.schema.names:
        return None
    kept = stored(f"{backtest.where} and scoring_fingerprint = '{backtest.fingerprint}'")
    return kept.select(BACKTEST_SCORES_SCHEMA.names) if kept is not None and kept.num_rows else None
