"""The same project on DuckDB and on Apache Spark (dbt-spark, session method, local PySpark): the same input Parquet
through both engines gives the same tables.

Staging, quarantine, sessions (ids included), daily activity, labels and purchase histories are identical;
features are equal to 1e-12 relative (SQL engines may add doubles in another order); with the features identical
in practice, models, scores, reason codes, segments and memberships are identical; the BI-facing Parquet copies
have the same column types. Spark runs from its own environment (.venv-spark, `make setup-spark`).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path

import conftest
import duckdb
import pytest
from conftest import PROJECT_DIR, run_dbt

from customer_ai import demo_data

SPARK_VENV = Path(os.environ.get("CUSTOMER_AI_SPARK_VENV", PROJECT_DIR / ".venv-spark"))
PROFILES = 600
VARIABLES = {
    "customer_ai__min_positive_examples": 30,
    "customer_ai__min_negative_examples": 30,
    "customer_ai__training_max_rows": 900,  # fewer than the labelled examples: the sample must be the same too
}
# besides the run-time columns: a backtest's training fingerprint hashes its examples as each engine's frames type
# them, its scoring fingerprint digests the evaluation rows with each engine's hash (their use is within one
# warehouse: did this build's inputs change since the last build's)
# staging's input_row_hash and rules fingerprint are only used by DuckDB's incremental staging
RUN_TIME_COLUMNS = conftest.RUN_TIME_COLUMNS | {"training_fingerprint", "scoring_fingerprint"}
RUN_TIME_COLUMNS |= {"input_row_hash", "staging_rules_fingerprint"}
# so are the rules fingerprints of the per-day models (the compiled conditions differ between engines)
RUN_TIME_COLUMNS |= {"rules_fingerprint"}
IDENTICAL = [
    "stg_experience_events__validated",
    "stg_experience_events_rejected",
    "int_as_of_dates_resolved",
    "int_events_sessionized",
    "int_sessions_aggregated",
    "int_profile_activities_aggregated_to_days",
    "int_snapshot_dates_scheduled",
    "int_prediction_snapshots_labeled",
    "int_customer_purchase_histories_summarized",
    "int_training_examples_sampled",
    "int_backtest_snapshots_assigned",
    "int_backtest_training_examples_sampled",
]
DOWNSTREAM = [
    "ml_propensity_models_trained",
    "fct_propensity_scores",
    "fct_reason_codes",
    "fct_customer_lifetime_value",
    "rpt_clv_model_fit",
    "dim_segments",
    "fct_segment_memberships",
    "dim_customer_profiles",
    "rpt_model_evaluation",
    "rpt_lift_gains",
    "rpt_score_distribution",
    "rpt_influential_factors_by_bucket",
    "rpt_global_feature_importance",
    "ml_propensity_backtests_trained",
    "ml_propensity_backtest_scores",
    "rpt_backtest",
    "rpt_backtest_by_bucket",
    "rpt_calibration",
    "fct_propensity_score_history",
    "fct_customer_lifetime_value_history",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not (SPARK_VENV / "bin" / "dbt").exists():
        pytest.fail(f"no Spark environment at {SPARK_VENV}: run `make setup-spark` (make test does)")
    tmp = tmp_path_factory.mktemp("engines")
    demo_data.write_xdm_parquet(demo_data.DemoSettings(n_profiles=PROFILES, seed=11), str(tmp / "events"), workers=1)
    variables = {
        **VARIABLES,
        "customer_ai__events_source": "files",
        "customer_ai__events_path": str(tmp / "events" / "*.parquet"),
        "customer_ai__bi_export_dir": str(tmp / "bi"),
    }
    run_dbt(["run"], tmp, variables, db_name="duck.duckdb")

    env = dict(os.environ)
    env.pop("PYSPARK_PYTHON", None)  # the project's dbt plugin points Spark's workers at dbt's interpreter
    env.update(
        {
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_TARGET_PATH": str(tmp / "spark_target"),
            "DBT_LOG_PATH": str(tmp / "spark_logs"),
            "CUSTOMER_AI_SPARK_DIR": str(tmp / "spark"),
            "CUSTOMER_AI_SPARK_DRIVER_MEMORY": "3g",
        }
    )
    command = [str(SPARK_VENV / "bin" / "dbt"), "run", "--profiles-dir", str(PROJECT_DIR)]
    command += ["--project-dir", str(PROJECT_DIR), "--target", "spark", "--vars", json.dumps(variables)]
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return {
        "tmp": tmp,
        "duck": tmp / "duck.duckdb",
        "spark": tmp / "spark" / "tables" / "customer_ai.db",
        "variables": variables,
        "spark_command": command,
        "spark_env": env,
    }


def _columns(con, source):
    return [row[0] for row in con.sql(f"describe select * from {source}").fetchall()]


def _rows(built, table, drop=RUN_TIME_COLUMNS):
    """(duckdb rows, spark rows) of a table, the same columns in the same order, sorted."""
    with duckdb.connect(str(built["duck"]), read_only=True) as con:
        spark_source = f"read_parquet('{built['spark'] / table}/**/*.parquet', hive_partitioning = true)"
        columns = [c for c in _columns(con, table) if c not in drop]
        missing = set(columns) - set(_columns(con, spark_source))
        assert not missing, f"{table}: Spark has no {missing}"
        listed = ", ".join(f'"{c}"' for c in columns)
        duck = con.sql(f"select {listed} from {table} order by all").fetchall()
        spark = con.sql(f"select {listed} from {spark_source} order by all").fetchall()
    return columns, duck, spark


@pytest.mark.parametrize("table", IDENTICAL)
def test_staging_sessions_activity_and_labels_are_identical(built, table):
    columns, duck, spark = _rows(built, table)
    assert len(duck) == len(spark) and len(duck) > 0, table
    assert duck == spark, _first_difference(columns, duck, spark)


def test_features_are_equal(built):
    """Exactly, or within 1e-12 relative where a sum of doubles may be added in another order."""
    columns, duck, spark = _rows(built, "int_profile_snapshots_featurized")
    assert len(duck) == len(spark) > 0
    for a, b in zip(duck, spark, strict=True):
        for name, x, y in zip(columns, a, b, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                assert math.isclose(x, y, rel_tol=1e-12, abs_tol=0) or (math.isnan(x) and math.isnan(y)), (name, a, b)
            else:
                assert x == y, (name, a, b)


@pytest.mark.parametrize("table", DOWNSTREAM)
def test_models_scores_reasons_and_segments_are_identical(built, table):
    columns, duck, spark = _rows(built, table)
    assert len(duck) == len(spark) > 0, table
    assert duck == spark, _first_difference(columns, duck, spark)


def test_the_registry_records_the_engine(built):
    with duckdb.connect() as con:
        spark = con.sql(
            f"select library_versions from read_parquet('{built['spark']}/ml_propensity_models_trained/*.parquet')"
        ).fetchall()
    with duckdb.connect(str(built["duck"]), read_only=True) as con:
        duck = con.sql("select library_versions from ml_propensity_models_trained").fetchall()
    assert {json.loads(row[0])["engine"] for row in spark} == {"spark"}
    assert all(json.loads(row[0])["pyspark"].startswith("4.") for row in spark)
    assert {json.loads(row[0])["engine"] for row in duck} == {"duckdb"}


def test_bi_copies_have_the_same_column_types(built):
    duck_folder, spark_folder = built["tmp"] / "bi" / "ci", built["tmp"] / "bi" / "spark"
    names = sorted(p.name for p in duck_folder.glob("*.parquet"))
    assert names and names == sorted(p.name for p in spark_folder.glob("*.parquet"))
    with duckdb.connect() as con:
        for name in names:
            duck = con.sql(f"describe select * from '{duck_folder / name}'").fetchall()
            spark = con.sql(f"describe select * from '{spark_folder / name}'").fetchall()
            assert [(r[0], r[1]) for r in duck] == [(r[0], r[1]) for r in spark], name


def test_incremental_sessions_on_spark_follow_erasures_and_late_changes(built):
    """Runs last (it changes the input): a profile erased and an old event of another removed, then a normal
    (incremental) run on both engines: the erased profile is gone from Spark's sessions and both engines agree."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    part = built["tmp"] / "events" / "part-00000.parquet"
    events = pq.read_table(part)
    mcids = [(u or {}).get("_experience", {}) or {} for u in events["endUserIDs"].to_pylist()]
    profiles = [
        dict(m)["ECID"][0]["id"] if m else ((e.get("mcid") or {}).get("id"))
        for m, e in zip(events["identityMap"].to_pylist(), mcids, strict=True)
    ]
    erased = next(p for p in profiles if p)
    edited = next(p for p in profiles if p and p != erased)
    first_of_edited = profiles.index(edited)
    keep = [p != erased and i != first_of_edited for i, p in enumerate(profiles)]
    pq.write_table(events.filter(pa.array(keep)), part)

    selection = ["--select", "+int_sessions_aggregated"]
    run_dbt(["run", *selection], built["tmp"], built["variables"], db_name="duck.duckdb")
    result = subprocess.run(
        [*built["spark_command"], *selection],
        cwd=PROJECT_DIR,
        env=built["spark_env"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert "incremental model customer_ai.int_events_sessionized" in result.stdout
    for table in ("int_events_sessionized", "int_sessions_aggregated"):
        columns, duck, spark = _rows(built, table)
        assert duck == spark, _first_difference(columns, duck, spark)
        assert not [row for row in spark if row[columns.index("profile_id")] == erased], table


def _first_difference(columns, duck, spark):
    for a, b in zip(duck, spark, strict=False):
        if a != b:
            return {c: (x, y) for c, x, y in zip(columns, a, b, strict=True) if x != y}
    return f"{len(duck)} rows on DuckDB, {len(spark)} on Spark"
