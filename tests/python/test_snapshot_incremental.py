"""Snapshot models on real dbt runs, from small flat event files: the per-snapshot features, the labels and the
training examples keep what their inputs did not change and equal a full build each time, and key tests of
incremental tables check the rows the last run wrote."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import duckdb
import pyarrow.parquet as pq
from conftest import copy_project, run_dbt
from flat_events import BUY, VIEW, every_other_day, flat_events, flat_file_source, rows_but_run_times


def test_per_snapshot_feature_models_compute_only_the_snapshots_whose_inputs_changed(tmp_path, dbt_runner):
    """The feature models keep the snapshot dates whose inputs (daily activity, sessions) are unchanged and compute
    the others: the day's new scoring date, the dates on or after a late event or an erased day, every
    date when a custom event changes or the table predates the fingerprints; each time the tables are those of a
    full build, and a kept snapshot's rows are not rewritten."""
    path = tmp_path / "events.parquet"
    variables = flat_file_source(path)
    # each per-snapshot model, with a column to mark a kept snapshot's rows by
    marked_columns = {
        "int_profile_activities_accumulated_to_snapshots": "events_total",
        "int_profile_activities_windowed_to_snapshots": "events_90d",
        "int_profile_lifetime_features_computed": "tenure_days",
        "int_profile_recent_features_computed": "interactions_90d",
        "int_profile_visit_features_computed": "sessions_90d",
        "int_profile_recent_activities_pivoted": "web_webpagedetails_page_views_90d",
        "int_profile_lifetime_activities_pivoted": "web_webpagedetails_page_views_days_since_last",
        "int_profile_snapshots_featurized": "tenure_days",
    }
    models = tuple(marked_columns)
    select = ["run", "--select", "+int_profile_snapshots_featurized"]

    def rows(db: str, table: str) -> list[tuple]:
        return rows_but_run_times(tmp_path / db, table)

    def refresh_and_compare(events: list[tuple], as_of: str, settings: dict | None = None) -> dict[str, tuple]:
        pq.write_table(flat_events(events), path)
        run = {**variables, "customer_ai__as_of_date": as_of, **(settings or {})}
        out = dbt_runner(select, run, db_name="inc.duckdb").stdout
        dbt_runner(select + ["--full-refresh"], run, db_name="full.duckdb")
        for model in models:
            assert rows("inc.duckdb", model) == rows("full.duckdb", model), model
        counts = {}
        for model in models:
            found = re.search(rf"{model}: computing (\d+) snapshot dates, keeping (\d+)", out)
            counts[model] = (int(found.group(1)), int(found.group(2))) if found else out[-3000:]
        return counts

    def scheduled() -> list[str]:
        table = "(select distinct snapshot_date from int_snapshot_dates_scheduled where snapshot_kind <> 'history')"
        return [str(day) for (day,) in rows("inc.duckdb", table)]

    history = every_other_day(dt.date(2025, 1, 2), dt.date(2025, 5, 30))
    refresh_and_compare(history, "2025-05-30")
    dates = scheduled()
    assert len(dates) >= 4 and dates[-1] == "2025-05-30", dates
    assert refresh_and_compare(history, "2025-05-30") == dict.fromkeys(models, (0, len(dates)))

    def mark(change: str) -> None:
        # a mark on the first snapshot's rows, which no change below before the rules' touches
        with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
            for model, column in marked_columns.items():
                con.execute(f"update {model} set {column} = {column} {change} where snapshot_date = '{dates[0]}'")

    # the next day arrives: yesterday's scoring date goes, today's is computed, the rest is kept
    mark("+ 1000")
    history += [("view-new-day", "p1", VIEW, "2025-05-31T09:00:00Z", None)]
    pq.write_table(flat_events(history), path)
    # the lifetime totals of the new date start from those of yesterday's scoring date, whose inputs did not change,
    # before the run deletes it (one day read, not every day since the latest kept date): a copy of the warehouse
    # whose totals on that date are marked gets the mark on the new date too
    shutil.copy(tmp_path / "inc.duckdb", tmp_path / "probe.duckdb")
    accumulated = "int_profile_activities_accumulated_to_snapshots"
    yesterday = dates[-1]
    yesterdays_rows = f"(select count(*) from {accumulated} where snapshot_date = '{yesterday}')"
    marked_rows = rows("probe.duckdb", yesterdays_rows)[0][0]
    with duckdb.connect(str(tmp_path / "probe.duckdb")) as con:
        con.execute(f"update {accumulated} set events_total = events_total + 1000 where snapshot_date = '{yesterday}'")
    out = dbt_runner(select, {**variables, "customer_ai__as_of_date": "2025-05-31"}, db_name="inc.duckdb").stdout
    for model in models:
        assert f"{model}: computing 1 snapshot dates, keeping {len(dates) - 1}" in out, out[-3000:]
    starting = f"{accumulated}: computing 1 snapshot dates, keeping {len(dates) - 1}, starting from {yesterday} (no"
    assert starting in out, out[-3000:]
    assert yesterday not in scheduled()
    dbt_runner(select, {**variables, "customer_ai__as_of_date": "2025-05-31"}, db_name="probe.duckdb")
    new_totals = f"(select count(*), sum(events_total) from {accumulated} where snapshot_date = '2025-05-31')"
    probe, now = rows("probe.duckdb", new_totals)[0], rows("inc.duckdb", new_totals)[0]
    assert probe[0] == now[0] and probe[1] - now[1] == 1000 * marked_rows > 0, (probe, now, marked_rows)
    # and then it is gone, as a full build has it
    assert rows("inc.duckdb", yesterdays_rows) == [(0,)]
    for model, column in marked_columns.items():
        marked = rows("inc.duckdb", f"(select min({column}) from {model} where snapshot_date = '{dates[0]}')")
        assert marked[0][0] >= 1000, (model, marked)
    mark("- 1000")
    assert refresh_and_compare(history, "2025-05-31") == dict.fromkeys(models, (0, len(dates)))

    # a late purchase after the second snapshot, then a whole day erased after the third: the dates after each
    # are computed again, those before kept
    late_day = dt.date.fromisoformat(dates[1]) + dt.timedelta(days=1)
    history += [("late-purchase", "p2", BUY, f"{late_day}T12:00:00Z", 99.0)]
    after = len([d for d in scheduled() if d >= str(late_day)])
    assert refresh_and_compare(history, "2025-05-31") == dict.fromkeys(models, (after, len(dates) - after))
    erased_day = min(row[3][:10] for row in history if row[3][:10] > dates[2])
    erased = [row for row in history if not row[3].startswith(erased_day)]
    assert len(erased) < len(history), erased_day
    after = len([d for d in scheduled() if d >= erased_day])
    assert refresh_and_compare(erased, "2025-05-31") == dict.fromkeys(models, (after, len(dates) - after))

    # a custom event: the daily activity's rules change, so does every snapshot's input
    big_purchase = [{"name": "big_purchase", "conditions": [{"field": "revenue", "operator": "gt", "value": 50}]}]
    settings = {"customer_ai__custom_events": big_purchase}
    assert refresh_and_compare(erased, "2025-05-31", settings) == dict.fromkeys(models, (len(dates), 0))

    # longer sessions: a page view and a purchase an hour apart are one visit now; only the visit features and the
    # feature table read sessions
    settings = {**settings, "customer_ai__sessions_inactivity_minutes": 90}
    visits = ("int_profile_visit_features_computed", "int_profile_snapshots_featurized")
    expected = {model: (len(dates), 0) if model in visits else (0, len(dates)) for model in models}
    assert refresh_and_compare(erased, "2025-05-31", settings) == expected

    # a table built before rows recorded their inputs is computed whole once
    with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
        for model in models:
            con.execute(f"alter table {model} drop column inputs_fingerprint")
    pq.write_table(flat_events(erased), path)
    run = {**variables, "customer_ai__as_of_date": "2025-05-31", **settings}
    out = dbt_runner(select, run, db_name="inc.duckdb").stdout
    for model in models:
        assert f"{model}: computing every snapshot date (built before rows recorded their inputs)" in out
        assert rows("inc.duckdb", model) == rows("full.duckdb", model), model


def test_labels_keep_the_snapshots_whose_outcome_windows_closed_unchanged(tmp_path, dbt_runner):
    """The labels keep a (prediction, snapshot) date while nothing on or before the end of its outcome window
    changed, and count the others: the new scoring date, the dates whose window or history holds a new or late
    event (a later one for the 30-day prediction than for the 14-day one), every date when a prediction or the
    passive event types change; each time the table is a full build's, and a kept date's rows are not rewritten."""
    path = tmp_path / "events.parquet"
    model = "int_prediction_snapshots_labeled"
    predictions = [
        {
            "name": "purchase_next_30d",
            "propensity_type": "conversion",
            "goal": {"will": "occur", "match": "any", "conditions": [{"event_type": BUY}]},
            "outcome_window_days": 30,
            "eligibility": {"active_within_days": 45, "conditions": []},
        },
        {
            "name": "churn_next_14d",
            "propensity_type": "churn",
            "goal": {"will": "not_occur", "match": "any", "conditions": [{"event_type": VIEW}]},
            "outcome_window_days": 14,
            "eligibility": {"active_within_days": 30, "conditions": []},
        },
    ]
    variables = {**flat_file_source(path), "customer_ai__predictions": predictions}
    select = ["run", "--select", f"+{model}"]

    def rows(db: str, table: str) -> list[tuple]:
        return rows_but_run_times(tmp_path / db, table)

    def schedule() -> list[tuple]:
        return rows(
            "inc.duckdb",
            "(select prediction_name, snapshot_date, snapshot_kind, outcome_window_days "
            "from int_snapshot_dates_scheduled)",
        )

    def refresh(events: list[tuple], as_of: str, settings: dict | None = None, compare: bool = True) -> tuple | None:
        pq.write_table(flat_events(events), path)
        run = {**variables, "customer_ai__as_of_date": as_of, **(settings or {})}
        out = dbt_runner(select, run, db_name="inc.duckdb").stdout
        if compare:
            dbt_runner(select + ["--full-refresh"], run, db_name="full.duckdb")
            assert rows("inc.duckdb", model) == rows("full.duckdb", model)
        found = re.search(rf"{model}: computing (\d+) snapshot dates, keeping (\d+)", out)
        return (int(found.group(1)), int(found.group(2))) if found else None  # none on a first (full) build

    def dates_whose_windows_reach(day: dt.date) -> set[dt.date]:
        return {d for _, d, _, window in schedule() if d + dt.timedelta(days=window) >= day}

    history = every_other_day(dt.date(2025, 1, 2), dt.date(2025, 5, 30))
    refresh(history, "2025-05-30")
    dates = sorted({d for _, d, _, _ in schedule()})
    assert len(dates) >= 4, dates
    assert refresh(history, "2025-05-30") == (0, len(dates))

    # the next day arrives: computed are the new scoring date, the dates that changed kind, and those whose
    # outcome window reaches the new day; a mark on the oldest date's rows survives
    before = {(p, d): kind for p, d, kind, _ in schedule()}
    with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
        con.execute(f"update {model} set is_eligible = not is_eligible where snapshot_date = '{dates[0]}'")
    history += [("view-new-day", "p1", VIEW, "2025-05-31T09:00:00Z", None)]
    computed, kept = refresh(history, "2025-05-31", compare=False)
    after = schedule()
    changed = {d for p, d, kind, _ in after if before.get((p, d)) != kind}
    expected = changed | dates_whose_windows_reach(dt.date(2025, 5, 31))
    assert dt.date(2025, 5, 31) in expected and dates[0] not in expected
    assert (computed, kept) == (len(expected), len({d for _, d, _, _ in after}) - len(expected))
    with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
        marked = con.sql(f"select count(*) from {model} where snapshot_date = '{dates[0]}'").fetchall()[0][0]
        assert marked > 0
        con.execute(f"update {model} set is_eligible = not is_eligible where snapshot_date = '{dates[0]}'")
    dates = sorted({d for _, d, _, _ in after})
    assert refresh(history, "2025-05-31") == (0, len(dates))

    # a late purchase: recounted are the dates whose outcome window or history reaches its day, which, between
    # two snapshots, is a date before it for the 30-day window and not for the 14-day one
    late_day = dates[1] + dt.timedelta(days=20)
    history += [("late-purchase", "p2", BUY, f"{late_day}T12:00:00Z", 99.0)]
    reached = dates_whose_windows_reach(late_day)
    assert any(d < late_day for d in reached), (late_day, reached)
    assert refresh(history, "2025-05-31") == (len(reached), len(dates) - len(reached))

    # a prediction's settings, then the passive event types (the conditions' rules): every date is counted again
    predictions[0]["eligibility"]["active_within_days"] = 60
    assert refresh(history, "2025-05-31") == (len(dates), 0)
    assert refresh(history, "2025-05-31", {"customer_ai__passive_event_types": [VIEW]}) == (len(dates), 0)


def test_training_examples_are_kept_whole_while_their_labels_and_features_are_unchanged(tmp_path, dbt_runner):
    """The training examples (live and backtest) are kept, not drawn again, while the labels and features of the
    snapshots they come from are unchanged: a run with nothing new and the next day's run keep them (a mark on a row
    survives); a late purchase in a training window, a change of the sample size and a table built before rows
    recorded their inputs draw them again; each time the tables are those of a full build."""
    path = tmp_path / "events.parquet"
    models = ("int_training_examples_sampled", "int_backtest_training_examples_sampled")
    variables = flat_file_source(path)
    select = ["run", "--select", *(f"+{model}" for model in models)]

    def rows(db: str, table: str) -> list[tuple]:
        return rows_but_run_times(tmp_path / db, table)

    def refresh(events: list[tuple], as_of: str, settings: dict | None = None, compare: bool = True) -> set[str]:
        pq.write_table(flat_events(events), path)
        run = {**variables, "customer_ai__as_of_date": as_of, **(settings or {})}
        out = dbt_runner(select, run, db_name="inc.duckdb").stdout
        if compare:
            dbt_runner(select + ["--full-refresh"], run, db_name="full.duckdb")
            for model in models:
                assert rows("inc.duckdb", model) == rows("full.duckdb", model), model
        return {model for model in models if f"{model}: keeping every example" in out} | {
            f"{model} drawn" for model in models if f"{model}: drawing every example" in out
        }

    def training_snapshots() -> list[tuple]:
        scheduled = "int_snapshot_dates_scheduled where snapshot_kind = 'training'"
        return rows("inc.duckdb", f"(select prediction_name, snapshot_date from {scheduled})")

    history = every_other_day(dt.date(2025, 1, 2), dt.date(2025, 5, 30))
    assert refresh(history, "2025-05-30", compare=False) == set()  # a first build draws them, as a table would
    for model in models:
        assert rows("inc.duckdb", f"(select count(*) from {model})")[0][0] > 0, model
    trained_on = training_snapshots()

    # the next day arrives: the training snapshots and their closed outcome windows are the same, so the examples
    # are kept; a mark on a row shows it was not written again
    with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
        for model in models:
            con.execute(f"update {model} set sample_rank = sample_rank + 1000")
    history += [("view-new-day", "p1", VIEW, "2025-05-31T09:00:00Z", None)]
    assert refresh(history, "2025-05-31", compare=False) == set(models)
    assert training_snapshots() == trained_on
    with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
        for model in models:
            assert con.sql(f"select min(sample_rank) from {model}").fetchall()[0][0] > 1000, model
            con.execute(f"update {model} set sample_rank = sample_rank - 1000")
    assert refresh(history, "2025-05-31") == set(models)

    # a late purchase in the last training snapshot's outcome window: its labels change, the examples are drawn again
    late_day = max(day for _, day in trained_on) + dt.timedelta(days=3)
    history += [("late-purchase", "p2", BUY, f"{late_day}T12:00:00Z", 99.0)]
    assert f"{models[0]} drawn" in refresh(history, "2025-05-31")

    # a smaller sample: both are drawn again
    assert refresh(history, "2025-05-31", {"customer_ai__training_max_rows": 5}) == {f"{m} drawn" for m in models}

    # a table built before rows recorded their inputs is drawn whole once
    with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
        for model in models:
            con.execute(f"alter table {model} drop column inputs_fingerprint")
    pq.write_table(flat_events(history), path)
    run = {**variables, "customer_ai__as_of_date": "2025-05-31", "customer_ai__training_max_rows": 5}
    out = dbt_runner(select, run, db_name="inc.duckdb").stdout
    for model in models:
        assert f"{model}: drawing every example (built before rows recorded their inputs)" in out, out[-3000:]
        assert rows("inc.duckdb", model) == rows("full.duckdb", model), model


def test_a_change_of_a_project_macro_alone_recomputes_every_row_a_run_would_keep(tmp_path):
    """Most of the SQL is in the project's macros, not in the models' own code: an upgrade that changes only a macro
    must not leave rows computed by the old code behind. Every incremental model's rules fingerprint holds the
    project's macros, so the run after a macro changed (here an incremental strategy, only by a comment) restages,
    sessionizes, recounts, computes and draws everything again, where a run before the change kept it all."""
    path = tmp_path / "events.parquet"
    pq.write_table(flat_events(every_other_day(dt.date(2025, 1, 2), dt.date(2025, 5, 30))), path)
    project = copy_project(tmp_path / "project")
    run = {**flat_file_source(path), "customer_ai__as_of_date": "2025-05-30"}
    select = ["run", "--select", "+int_training_examples_sampled"]
    run_dbt(select, tmp_path, run, "inc.duckdb", project_dir=project)
    unchanged = run_dbt(select, tmp_path, run, "inc.duckdb", project_dir=project).stdout

    # an incremental strategy: a macro whose name says nothing of the project, which decides the rows a run replaces
    macros = project / "macros" / "portability" / "incremental.sql"
    definition = "{% macro get_incremental_replace_slices_sql(arg_dict) %}"
    assert definition in macros.read_text()
    macros.write_text(macros.read_text().replace(definition, definition + "{#- the same SQL, other code -#}"))
    changed = run_dbt(select, tmp_path, run, "inc.duckdb", project_dir=project).stdout

    everything_again = [
        "stg_experience_events__validated: restaging every event day",
        "int_events_sessionized: sessionizing every profile (the session rules changed)",
        "int_sessions_aggregated: aggregating every session (the rollup rules changed)",
        "int_profile_activities_aggregated_to_days: recomputing every event day (its rules changed)",
        "int_prediction_activity_flagged: recomputing every event day (its rules changed)",
        "int_training_examples_sampled: drawing every example (its labels, features or rules changed)",
    ]
    for line in everything_again:
        assert line not in unchanged and line in changed, (line, changed[-3000:])
    for model in ("int_profile_activities_accumulated_to_snapshots", "int_profile_snapshots_featurized"):
        kept = re.search(rf"{model}: computing (\d+) snapshot dates, keeping (\d+)", unchanged)
        recomputed = re.search(rf"{model}: computing (\d+) snapshot dates, keeping (\d+)", changed)
        assert kept and kept.group(1) == "0" and int(kept.group(2)) > 0, (model, unchanged[-3000:])
        assert recomputed and recomputed.groups() == (kept.group(2), "0"), (model, changed[-3000:])
    labels = re.search(r"int_prediction_snapshots_labeled: computing (\d+) .*keeping (\d+)", changed)
    assert labels and labels.group(2) == "0", changed[-3000:]


def test_key_tests_of_incremental_tables_check_the_rows_the_last_run_wrote(tmp_path, dbt_runner):
    """After a daily run, the key tests of the large incremental tables check the rows that run wrote: a repeated
    key among them fails, one planted in rows kept from before does not, unless customer_ai__test_every_row is set.
    The labels record the run in computed_at; the staged events, the sessionized events and the sessions name
    their stamp column in the placeholder or record computed_at too. The accepted values of the staged events' rejection
    reasons are checked on the same rows."""
    path = tmp_path / "events.parquet"
    labels = "int_prediction_snapshots_labeled"
    history = every_other_day(dt.date(2025, 1, 2), dt.date(2025, 5, 30))
    variables = {**flat_file_source(path), "customer_ai__as_of_date": "2025-05-30"}
    selected = ["--select", f"+{labels}", "+int_sessions_aggregated"]
    pq.write_table(flat_events(history), path)
    dbt_runner(["run", *selected], variables, db_name="inc.duckdb")
    history += [("view-new-day", "p1", VIEW, "2025-05-31T09:00:00Z", None)]
    pq.write_table(flat_events(history), path)
    variables["customer_ai__as_of_date"] = "2025-05-31"
    out = dbt_runner(["run", *selected], variables, db_name="inc.duckdb").stdout
    assert re.search(rf"{labels}: computing [1-9]\d* snapshot dates, keeping [1-9]", out), out[-3000:]

    # (model the test runs on, test, table the rows are planted in, the column that records the writing run)
    keys = [
        (labels, f"unique_{labels}_prediction_snapshot_key", labels, "computed_at"),
        (
            "stg_experience_events",
            "unique_stg_experience_events_event_id",
            "stg_experience_events__validated",
            "staged_at",
        ),
        (
            "int_events_sessionized",
            "unique_int_events_sessionized_event_id",
            "int_events_sessionized",
            "sessionized_at",
        ),
        (
            "int_sessions_aggregated",
            "unique_int_sessions_aggregated_session_id",
            "int_sessions_aggregated",
            "computed_at",
        ),
    ]

    def test_passes(model: str, test: str, settings: dict | None = None, kind: str = "unique") -> bool:
        selected = ["test", "--select", f"{model},test_name:{kind}"]
        result = dbt_runner(selected, {**variables, **(settings or {})}, db_name="inc.duckdb", check=False)
        assert f"START test {test}" in result.stdout, result.stdout[-3000:]
        return result.returncode == 0

    def plant_a_repeated_key(table: str, where: str) -> None:
        usable = "rejection_reason is null and " if table == "stg_experience_events__validated" else ""
        with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
            con.execute(f"insert into {table} (select * from {table} where {usable}{where} limit 1)")

    for model, test, table, stamp in keys:
        assert test_passes(model, test), model
        plant_a_repeated_key(table, f"{stamp} < (select max({stamp}) from {table})")
        assert test_passes(model, test), model
        assert not test_passes(model, test, {"customer_ai__test_every_row": True}), model
        plant_a_repeated_key(table, f"{stamp} = (select max({stamp}) from {table})")
        assert not test_passes(model, test), model

    # a test of one row at a time (the accepted rejection reasons) likewise checks the rows the last run staged
    def accepted_values_test_passes(settings: dict | None = None) -> bool:
        validated = "stg_experience_events__validated"
        return test_passes(validated, f"accepted_values_{validated}", settings, kind="accepted_values")

    def plant_an_unknown_reason(where: str) -> None:
        table = "stg_experience_events__validated"
        with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
            con.execute(
                f"update {table} set rejection_reason = 'no such reason' where event_id = "
                f"(select min(event_id) from {table} where {where})"
            )

    assert accepted_values_test_passes()
    plant_an_unknown_reason("staged_at < (select max(staged_at) from stg_experience_events__validated)")
    assert accepted_values_test_passes()
    assert not accepted_values_test_passes({"customer_ai__test_every_row": True})
    plant_an_unknown_reason("staged_at = (select max(staged_at) from stg_experience_events__validated)")
    assert not accepted_values_test_passes()
