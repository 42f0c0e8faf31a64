"""A daily refresh gives the tables a full build gives.

One demo is written as XDM files and split as a deployment sees it: the history up to the day before the last, then
the last day, which also brings late events (one in 200 of the 25 days before it). A warehouse is built on the
history, the day arrives and the same `dbt build` runs again on it (incremental sessionization, backtests kept from
the previous build); a second warehouse is built once on all the events. Every table of the two must be the same,
row for row, apart from the columns that say when something ran and the rows the refreshed warehouse keeps from its
earlier build on purpose (its model registry and score history).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import RUN_TIME_COLUMNS, run_dbt

from customer_ai import demo_data

VARIABLES = {
    "customer_ai__min_positive_examples": 150,
    "customer_ai__min_negative_examples": 150,
    "customer_ai__events_source": "files",
    # both warehouses train the live models on their own snapshots (with older_than the refresh would keep the
    # first build's model, trained at the day before: a different model by design)
    "customer_ai__retrain_policy": "always",
}
LATE_DAYS = 25

# tables that keep earlier builds' rows on purpose: compared on the rows of the last build
LAST_BUILD = "as_of_date = (select max(as_of_date) from {table})"
KEPT_HISTORY = {
    "ml_propensity_models_trained": "trained_at = (select max(trained_at) from {table})",
    "rpt_model_evaluation": "is_latest",
    "fct_propensity_score_history": LAST_BUILD,
    "fct_customer_lifetime_value_history": LAST_BUILD,
    # the copies of those tables hold more rows
    "bi_parquet_exports": "table_name not like '%history' and table_name <> 'rpt_model_evaluation'",
}


def build(tmp: Path, name: str, events: str) -> Path:
    (tmp / name).mkdir(exist_ok=True)
    variables = {**VARIABLES, "customer_ai__events_path": events, "customer_ai__report_dir": str(tmp / name / "report")}
    result = run_dbt(["build", "--exclude", "test_type:unit"], tmp / name, variables, db_name=f"{name}.duckdb")
    (tmp / name / f"dbt-{len(list((tmp / name).glob('dbt-*.log')))}.log").write_text(result.stdout)
    return tmp / name / f"{name}.duckdb"


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("daily")
    settings = demo_data.DemoSettings(n_profiles=2_000, seed=8)
    demo_data.write_xdm_parquet(settings, str(tmp / "generated"), workers=2)
    last_day = settings.start + dt.timedelta(days=settings.days - 1)
    history, day, arrived = demo_data.hold_back_last_day(
        str(tmp / "generated"), str(tmp / "daily"), last_day, late_days=LATE_DAYS
    )
    events = str(Path(history) / "*" / "*.parquet")
    build(tmp, "refreshed", events)
    shutil.move(day, Path(history) / "new_day")
    refreshed = build(tmp, "refreshed", events)
    full = build(tmp, "full", events)
    return {
        "refreshed": refreshed,
        "full": full,
        "arrived": arrived,
        "new_day": Path(history) / "new_day",
        "logs": tmp / "refreshed",
        "last_day": last_day,
    }


def tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[str]]:
    rows = con.sql(
        "select table_schema, table_name, list(column_name order by ordinal_position) from information_schema.columns "
        f"where table_catalog = '{catalog}' group by all"
    ).fetchall()
    return {f"{schema}.{name}": columns for schema, name, columns in rows}


def test_the_day_arrived_with_late_events(warehouses):
    with duckdb.connect() as con:
        days = con.sql(
            "select cast(timestamp as date) < ?, count(*) from read_parquet(?) group by 1",
            params=[warehouses["last_day"], str(warehouses["new_day"] / "*.parquet")],
        ).fetchall()
    assert dict(days).get(True, 0) > 20 and dict(days).get(False, 0) > 100, days
    assert sum(count for _, count in days) == warehouses["arrived"]


def test_a_daily_refresh_equals_a_full_build(warehouses):
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouses['refreshed']}' as refreshed (read_only)")
        con.execute(f"attach '{warehouses['full']}' as full_build (read_only)")
        refreshed, full = tables(con, "refreshed"), tables(con, "full_build")
        assert refreshed.keys() == full.keys()
        assert len(refreshed) > 60
        different = {}
        for table, columns in sorted(refreshed.items()):
            assert columns == full[table], table
            compared = ", ".join(f'"{c}"' for c in columns if c not in RUN_TIME_COLUMNS)
            name = table.split(".")[1]
            condition = KEPT_HISTORY.get(name, "true")
            left = f"select {compared} from refreshed.{table} where {condition.format(table=f'refreshed.{table}')}"
            right = f"select {compared} from full_build.{table} where {condition.format(table=f'full_build.{table}')}"
            only_left = con.sql(f"select count(*) from ({left} except all {right})").fetchall()[0][0]
            only_right = con.sql(f"select count(*) from ({right} except all {left})").fetchall()[0][0]
            rows = con.sql(f"select count(*) from ({left})").fetchall()[0][0]
            if only_left or only_right:
                different[table] = (rows, only_left, only_right)
        assert not different, f"(rows, only in the refreshed, only in the full build): {different}"


def test_the_refresh_kept_the_backtests_it_had_fitted_and_their_scores(warehouses):
    log = (warehouses["logs"] / "dbt-1.log").read_text()
    kept = [line for line in log.splitlines() if ": kept the model fitted at " in line]
    assert kept, log[-3000:]
    # the backtests whose outcome windows closed before the late events keep their scores too
    assert "kept the previous build's" in log, log[-3000:]
    with duckdb.connect(str(warehouses["refreshed"]), read_only=True) as con:
        statuses = con.sql("select status, count(*) from ml_propensity_backtests_trained group by 1").fetchall()
    assert dict(statuses).get("trained", 0) >= 4, statuses


def test_the_refresh_restaged_only_the_days_that_changed(warehouses):
    log = (warehouses["logs"] / "dbt-1.log").read_text()
    restaged = re.search(r"stg_experience_events__validated: restaging (\d+) event days", log)
    assert restaged, log[-3000:]
    # the new day and the days its late events fell on, not the whole history
    assert 1 <= int(restaged.group(1)) <= LATE_DAYS + 1, restaged.group(0)


def test_the_refresh_recomputed_the_per_day_models_on_the_restaged_days_only(warehouses):
    log = (warehouses["logs"] / "dbt-1.log").read_text()
    restaged = re.search(r"stg_experience_events__validated: restaging (\d+) event days", log)
    assert restaged, log[-3000:]
    for model in ("int_profile_activities_aggregated_to_days", "int_prediction_activity_flagged"):
        recomputed = re.search(rf"{model}: recomputing (\d+) event days", log)
        assert recomputed, (model, log[-3000:])
        # a restaged day whose events were all rejected has nothing to recompute: never more days than restaged
        assert 1 <= int(recomputed.group(1)) <= int(restaged.group(1)), recomputed.group(0)


def test_the_refresh_kept_the_features_and_labels_of_the_snapshots_before_the_late_events(warehouses):
    log = (warehouses["logs"] / "dbt-1.log").read_text()
    for model in (
        "int_profile_activities_accumulated_to_snapshots",
        "int_profile_snapshots_featurized",
        "int_prediction_snapshots_labeled",
    ):
        found = re.search(rf"{model}: computing (\d+) snapshot dates, keeping (\d+)", log)
        assert found, (model, log[-3000:])
        # the new scoring date (at least) is computed; the training and backtest dates, a month and more back, kept
        computed, kept = int(found.group(1)), int(found.group(2))
        assert computed >= 1 and kept >= 3, found.group(0)
