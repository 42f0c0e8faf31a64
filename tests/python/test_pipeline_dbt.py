"""The whole pipeline through dbt on a small demo: scores, reason codes, reports, segments and profiles,
determinism across builds, the insufficient-data guard, refusal of a stored model whose features changed, and
the Parquet copies read by a second process while a build runs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import conftest
import duckdb
import pytest
from conftest import DBT, PROJECT_DIR, dbt_env, run_dbt


def small(tmp):
    """The small demo, with its Parquet copies under tmp."""
    return {**SMALL, "customer_ai__bi_export_dir": str(tmp / "bi")}


SMALL = {
    "customer_ai__demo_profiles": 2_500,
    "customer_ai__min_positive_examples": 150,
    "customer_ai__min_negative_examples": 150,
    # the small demo's buckets are small: reason segments of 15 or more, from the high and the medium bucket
    "customer_ai__segment_min_size": 15,
    "customer_ai__reason_segment_buckets": ["high", "medium"],
}
MARTS = ["build", "--exclude", "test_type:unit"]  # every model and data test; unit tests run in dbt-ci


def query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


# Every table a BI tool reads, and the columns that say when or in which run it was made (they differ by design).
BI_TABLES = [
    "fct_propensity_scores",
    "fct_reason_codes",
    "fct_customer_lifetime_value",
    "dim_customer_profiles",
    "dim_segments",
    "fct_segment_memberships",
    "rpt_model_evaluation",
    "rpt_lift_gains",
    "rpt_score_distribution",
    "rpt_influential_factors_by_bucket",
    "rpt_global_feature_importance",
    "rpt_clv_model_fit",
    "rpt_backtest",
    "rpt_backtest_by_bucket",
    "rpt_calibration",
    "rpt_segment_characteristics",
    "rpt_score_history_outcomes",
]
RUN_TIME_COLUMNS = conftest.RUN_TIME_COLUMNS | {"is_latest"}


def bi_rows(db, table):
    """All rows of a BI-facing table, run-time columns aside, in a fixed order (only the latest model runs)."""
    with duckdb.connect(str(db), read_only=True) as con:
        columns = [row[0] for row in con.sql(f"describe {table}").fetchall()]
        kept = ", ".join(c for c in columns if c not in RUN_TIME_COLUMNS)
        where = " where is_latest" if "is_latest" in columns else ""
        return con.sql(f"select {kept} from {table}{where} order by all").fetchall()


def manifest_of(built, target="target"):
    """The manifest dbt wrote in the build (or in another command with that target folder), and its models by name."""
    manifest = json.loads((built["tmp"] / target / "manifest.json").read_text())
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    return manifest, models


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipeline")
    first = run_dbt(MARTS, tmp, small(tmp), db_name="demo.duckdb")
    db = tmp / "demo.duckdb"
    scores_first = query(db, "select prediction_name, profile_id, probability from fct_propensity_scores order by 1, 2")
    reasons_first = query(
        db,
        "select prediction_name, profile_id, factor_rank, factor_code, contribution "
        "from fct_reason_codes order by 1, 2, 3",
    )
    segments_first = query(db, "select segment_id, profiles from dim_segments order by 1")
    tables_first = {table: bi_rows(db, table) for table in BI_TABLES}
    second = run_dbt(MARTS, tmp, small(tmp), db_name="demo.duckdb")
    return {
        "tmp": tmp,
        "db": db,
        "first": first,
        "second": second,
        "scores_first": scores_first,
        "segments_first": segments_first,
        "reasons_first": reasons_first,
        "tables_first": tables_first,
    }


def test_every_prediction_trains_and_scores(built):
    rows = query(built["db"], "select prediction_name, status, auc from rpt_model_evaluation where is_latest")
    assert {r[0] for r in rows} == {"purchase_next_30d", "churn_next_30d"}
    for name, status, auc in rows:
        assert status == "trained", (name, status)
        assert auc > 0.7, (name, auc)
    counts = dict(query(built["db"], "select prediction_name, count(*) from fct_propensity_scores group by 1"))
    assert counts["purchase_next_30d"] > 500 and counts["churn_next_30d"] > 500


def test_planted_behaviour_is_among_the_top_global_factors(built):
    top = {}
    for name, feature in query(
        built["db"],
        "select prediction_name, feature_name from rpt_global_feature_importance where importance_rank <= 8",
    ):
        top.setdefault(name, set()).add(feature)
    assert top["purchase_next_30d"] & {
        "commerce_product_views_7d",
        "commerce_product_views_30d",
        "commerce_product_views_days_since_last",
        "commerce_product_list_adds_7d",
        "commerce_product_list_adds_30d",
        "commerce_product_list_adds_days_since_last",
    }
    assert top["churn_next_30d"] & {
        "days_since_last_session",
        "session_trend_30d_vs_90d",
        "sessions_30d",
        "interaction_trend_30d_vs_90d",
        "days_since_last_interaction",
    }


def test_two_builds_on_the_same_data_give_identical_scores(built):
    db = built["db"]
    assert query(db, "select count(*) from rpt_model_evaluation")[0][0] == 4  # two runs appended per prediction
    scores = query(db, "select prediction_name, profile_id, probability from fct_propensity_scores order by 1, 2")
    assert scores == built["scores_first"]
    reasons = query(
        db,
        "select prediction_name, profile_id, factor_rank, factor_code, contribution "
        "from fct_reason_codes order by 1, 2, 3",
    )
    assert reasons == built["reasons_first"]


@pytest.mark.parametrize("table", BI_TABLES)
def test_two_builds_give_identical_bi_tables(built, table):
    """Bit-identical reruns of every BI-facing table (scores, reason codes, lifetime value, segments, memberships,
    profiles, reports), not only equal to a tolerance: same data, same numbers."""
    assert bi_rows(built["db"], table) == built["tables_first"][table]


DUCKDB1_PYTHON = Path(os.environ.get("CUSTOMER_AI_DUCKDB1_PYTHON", PROJECT_DIR / ".venv-duckdb1" / "bin" / "python"))

READ_WITH_DUCKDB1 = """
import json, sys, duckdb
with duckdb.connect(sys.argv[1], read_only=True) as con:
    tables = json.loads(sys.argv[2])
    print(json.dumps({"version": duckdb.__version__,
                      "rows": {t: con.sql(f"select count(*) from {t}").fetchall()[0][0] for t in tables},
                      "scores": con.sql("select prediction_name, profile_id, probability from fct_propensity_scores "
                                        "order by 1, 2 limit 50").fetchall()}))
"""


def test_a_bi_tool_with_duckdb_1x_opens_the_warehouse_file(built):
    """Most BI tools bundle a DuckDB 1.x, which cannot read DuckDB 2's own storage format: the warehouse is written
    in a format 1.x reads (profiles.yml, storage_compatibility_version), and a DuckDB 1.x reads every BI table."""
    assert DUCKDB1_PYTHON.exists(), f"no DuckDB 1.x reader at {DUCKDB1_PYTHON}: run make setup-duckdb1"
    read = subprocess.run(
        [str(DUCKDB1_PYTHON), "-c", READ_WITH_DUCKDB1, str(built["db"]), json.dumps(BI_TABLES)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert read.returncode == 0, read.stderr[-2000:]
    seen = json.loads(read.stdout)
    assert seen["version"].startswith("1.")
    for table in BI_TABLES:
        assert seen["rows"][table] == query(built["db"], f"select count(*) from {table}")[0][0], table
    expected = query(
        built["db"], "select prediction_name, profile_id, probability from fct_propensity_scores order by 1, 2 limit 50"
    )
    assert [tuple(row) for row in seen["scores"]] == expected


def test_every_documented_model_and_column_carries_its_description_in_the_warehouse(built):
    """SQL and Python models alike: a BI tool browsing the warehouse sees the dbt YAML's descriptions."""
    _, nodes = manifest_of(built)
    models = [node for node in nodes.values() if node["config"]["materialized"] in ("table", "incremental")]
    assert any(node["language"] == "python" for node in models)
    with duckdb.connect(str(built["db"]), read_only=True) as con:
        tables = dict(con.sql("select table_name, comment from duckdb_tables()").fetchall())
        columns = {
            (table, column): comment
            for table, column, comment in con.sql(
                "select table_name, column_name, comment from duckdb_columns()"
            ).fetchall()
        }
    missing = []
    for node in models:
        name = node["alias"]
        if node["description"] and tables.get(name) != node["description"]:
            missing.append(name)
        for column, spec in node["columns"].items():
            if spec["description"] and (name, column) in columns and columns[(name, column)] != spec["description"]:
                missing.append(f"{name}.{column}")
    assert missing == []


def test_reason_codes_run_after_scoring_not_beside_it(built):
    """Scoring and the explanation workers each keep both cores busy: at a million profiles on two cores the two
    models side by side took 43-46 s, one after the other 37-38 s. The dependency orders them in every build."""
    _, nodes = manifest_of(built)
    assert "model.customer_ai.ml_propensity_scores" in nodes["ml_reason_codes"]["depends_on"]["nodes"]


CONTRACT_TYPES = {"string": "VARCHAR", "double": "DOUBLE", "int": "INTEGER", "bigint": "BIGINT", "date": "DATE"}
CONTRACT_TYPES |= {"timestamp": "TIMESTAMP", "boolean": "BOOLEAN"}


def test_bi_tables_are_public_with_enforced_contracts_and_their_parquet_copies_carry_the_same_types(built):
    """Every BI-facing table declares its columns' names and types (enforced at every build); the Parquet copy a BI
    tool reads has exactly those columns and types (no HUGEINT in one and DOUBLE in the other)."""
    manifest, nodes = manifest_of(built)
    folder = built["tmp"] / "bi" / "ci"
    copies = {path.stem for path in folder.glob("*.parquet")}
    assert len(copies & set(BI_TABLES)) >= 14  # all but the global importance (read in the warehouse)
    with duckdb.connect() as con:
        # the profile table has columns per configured prediction: it cannot have a fixed contract
        for table in [t for t in BI_TABLES if t != "dim_customer_profiles"]:
            node = nodes[table]
            assert node["config"]["contract"]["enforced"], table
            assert node["access"] == "public", table
            if table not in copies:
                continue
            declared = {name: CONTRACT_TYPES[spec["data_type"]] for name, spec in node["columns"].items()}
            described = con.sql(f"describe select * from '{folder / table}.parquet'").fetchall()
            copied = {row[0]: row[1] for row in described}
            assert copied == declared, table
    # and whatever an exposure (a dashboard, the report) reads is public, contract or not
    for exposure in manifest["exposures"].values():
        for parent in exposure["depends_on"]["nodes"]:
            assert manifest["nodes"][parent]["access"] == "public", (exposure["name"], parent)


def test_an_incremental_rebuild_leaves_no_temporary_tables_behind(built):
    """The second build appends to the model registry (an incremental Python model): the table its rows were staged
    in must not stay in the warehouse, where BI tools would list it."""
    leftovers = query(built["db"], "select table_name from information_schema.tables where table_name like '%dbt_tmp%'")
    assert leftovers == []


def test_a_rebuild_of_the_same_date_replaces_that_date_in_the_history(built):
    db = built["db"]
    assert query(db, "select count(distinct as_of_date) from fct_propensity_score_history") == [(1,)]
    assert query(db, "select count(*) from fct_propensity_score_history") == query(
        db, "select count(*) from fct_propensity_scores"
    )
    assert query(db, "select count(*) from fct_customer_lifetime_value_history") == query(
        db, "select count(*) from fct_customer_lifetime_value"
    )


def test_incremental_deletes_do_not_join_the_old_rows_of_a_slice_to_its_new_rows(built):
    """dbt's delete+insert deletes `using <new rows> where new.as_of_date = old.as_of_date`: on a second build of the
    same date every old row of the slice meets every new row (30,000 profiles: 7.3 s; a million: over 30 minutes).
    The history tables reduce the new rows to their distinct slices first (replace_slices), and so do the sessions,
    refreshed per profile (each refreshed profile's old events would meet its new ones)."""
    run_sql = built["tmp"] / "target" / "run" / "customer_ai" / "models"
    incremental = ["marts/fct_propensity_score_history", "marts/fct_customer_lifetime_value_history"]
    incremental += ["marts/rpt_score_history_outcomes", "intermediate/int_events_sessionized"]
    for model in incremental:
        executed = " ".join((run_sql / f"{model}.sql").read_text().lower().split())
        assert "delete from" in executed, model
        assert " using " not in executed, model
        assert "select distinct" in executed, model


def test_the_feature_rules_digest_covers_the_reshape_of_the_activity_halves(built):
    """A kept snapshot's features are recomputed when the feature rules change, and those rules are the code of the
    feature models (customer_ai_feature_rules_fingerprint digests their raw code, not the macros they call). So the
    SQL that reshapes the activity halves into a column per event type is written in the pivot models themselves:
    from a macro, an edit of it would keep every snapshot's rows made by the old SQL."""
    _, nodes = manifest_of(built)
    for name in ("int_profile_recent_activities_pivoted", "int_profile_lifetime_activities_pivoted"):
        node = nodes[name]
        assert node["original_file_path"].startswith("models/intermediate/features/"), name
        assert "max(case when activity = " in node["raw_code"], name


def is_event_table(table):
    """A table with a row per event (the input, parsed, validated): tens of gigabytes at a million profiles."""
    return "experience_events" in table


def event_rows(plan_node):
    """The event tables whose rows reach a physical plan node's output (DuckDB's explain in JSON) one for one: an
    aggregate's output is its groups, not the rows it read."""
    name = plan_node.get("name", "")
    if "GROUP_BY" in name or "AGGREGATE" in name:
        return set()
    if name == "SEQ_SCAN":
        table = plan_node.get("extra_info", {}).get("Table", "").rsplit(".", 1)[-1]
        return {table} if is_event_table(table) else set()
    return set().union(*(event_rows(child) for child in plan_node.get("children", [])))


def buffered_events(plan_node):
    """The event tables whose rows a CTE of the plan holds (a CTE node's first child is its definition)."""
    found = set()
    if plan_node.get("name") == "CTE" and plan_node.get("children"):
        found |= event_rows(plan_node["children"][0])
    for child in plan_node.get("children", []):
        found |= buffered_events(child)
    return found


def test_no_full_build_query_buffers_a_copy_of_the_events(built):
    """DuckDB materializes a CTE that several parts of a query read: it holds the CTE's whole result, spilling to
    disk beyond the memory limit, and every reader scans that copy. Over the events that copy is the input again: at
    a million profiles the staging's was 20 GB, written to disk and read back three times (196 s; 77 s when each
    reader scans the table itself). The staging and the per-day counts read their input where they need it
    (customer_ai_inlined_cte)."""
    tmp = built["tmp"]
    run_dbt(
        ["compile", "--full-refresh", "--target-path", str(tmp / "full_build_compiled")], tmp, small(tmp), "demo.duckdb"
    )
    _, nodes = manifest_of(built, "full_build_compiled")
    models = [n for n in nodes.values() if n["language"] == "sql" and n["config"]["materialized"] != "ephemeral"]
    buffered = {}
    with duckdb.connect(str(built["db"]), read_only=True) as con:
        for node in models:
            plan = json.loads(con.sql("explain (format json) " + node["compiled_code"]).fetchall()[0][1])
            events = set().union(*(buffered_events(root) for root in plan))
            if events:
                buffered[node["name"]] = sorted(events)
    assert len(models) > 40
    assert buffered == {}


def test_reports_are_filled(built):
    db = built["db"]
    assert query(db, "select count(*) from rpt_lift_gains")[0][0] == 20
    assert query(db, "select count(*) from rpt_score_distribution")[0][0] == 40
    lift = dict(query(db, "select prediction_name, lift from rpt_lift_gains where decile = 1"))
    assert min(lift.values()) > 2
    assert query(db, "select count(*) from rpt_influential_factors_by_bucket")[0][0] > 0
    assert query(db, "select count(*) from fct_propensity_scores where bucket not in ('high', 'medium', 'low')") == [
        (0,)
    ]


def test_insufficient_data_skips_one_prediction_and_warns(built, dbt_runner):
    rare = {
        "name": "big_spender",
        "propensity_type": "conversion",
        "goal": {
            "will": "occur",
            "conditions": [
                {"event_type": "commerce.purchases"},
                {"field": "revenue", "operator": "gte", "value": 100000},
            ],
            "match": "all",
        },
        "outcome_window_days": 30,
    }
    churn = {
        "name": "churn_next_30d",
        "propensity_type": "churn",
        "goal": {
            "will": "not_occur",
            "conditions": [{"event_type": "web.webpagedetails.pageViews"}, {"event_type": "application.launch"}],
        },
        "outcome_window_days": 30,
        "eligibility": {"active_within_days": 30},
    }
    result = dbt_runner(MARTS, {**SMALL, "customer_ai__predictions": [rare, churn]}, db_name="rare.duckdb")
    assert "warn_prediction_has_insufficient_data" in result.stdout and "WARN=1" in result.stdout
    statuses = dict(
        query(
            dbt_runner.tmp_path / "rare.duckdb",
            "select prediction_name, status from rpt_model_evaluation where is_latest",
        )
    )
    assert statuses == {"big_spender": "insufficient_data", "churn_next_30d": "trained"}
    message = query(
        dbt_runner.tmp_path / "rare.duckdb",
        "select status_message from rpt_model_evaluation where prediction_name = 'big_spender'",
    )[0][0]
    assert "0 positive" in message and "at least 150 positive" in message
    scored = dict(
        query(
            dbt_runner.tmp_path / "rare.duckdb",
            "select prediction_name, count(*) from fct_propensity_scores group by 1",
        )
    )
    assert "big_spender" not in scored and scored["churn_next_30d"] > 0


def test_scoring_refuses_a_stored_model_whose_features_changed(built, dbt_runner):
    import shutil

    shutil.copy(built["db"], dbt_runner.tmp_path / "changed.duckdb")
    extra = {
        "name": "help_page_visit",
        "label": "Help page visits",
        "conditions": [{"field": "page_name", "operator": "equals", "value": "help"}],
    }
    variables = {**SMALL, "customer_ai__retrain_policy": "never", "customer_ai__custom_events": [extra]}
    result = dbt_runner(["run", "--select", "+ml_propensity_scores"], variables, db_name="changed.duckdb", check=False)
    assert result.returncode != 0
    assert "no longer match" in result.stdout
    assert "missing now: custom_paid_search_visit_7d" in result.stdout
    assert "new since training: custom_help_page_visit_7d" in result.stdout


def test_key_tests_find_repeated_keys_including_keys_with_a_null_part(built, dbt_runner):
    """unique_combination_of_columns and the project's version of dbt's `unique` count keys by hash first and check
    only repeated hashes exactly: a repeated key, and a composite key repeated with a null part, must still fail
    them (a null single-column value is not a key, as in dbt's own test); the clean tables pass."""
    import shutil

    shutil.copy(built["db"], dbt_runner.tmp_path / "duplicated.duckdb")
    activity_by_day = "int_profile_activities_aggregated_to_days"
    composite = ["test", "--select", f"{activity_by_day},test_name:unique_combination_of_columns"]
    single = ["test", "--select", "int_events_sessionized,test_name:unique"]
    for select in (composite, single):
        assert dbt_runner(select, SMALL, db_name="duplicated.duckdb", check=False).returncode == 0
    with duckdb.connect(str(dbt_runner.tmp_path / "duplicated.duckdb")) as con:
        table = "int_profile_activities_aggregated_to_days"
        con.execute(f"insert into {table} (select * from {table} order by all limit 1)")
        first_key_without_activity = f"select * replace (null as activity) from {table} order by all limit 1"
        con.execute(f"insert into {table} ({first_key_without_activity})")
        con.execute(f"insert into {table} ({first_key_without_activity})")
        sessions = "int_events_sessionized"
        con.execute(f"insert into {sessions} (select * from {sessions} order by event_id limit 1)")
        con.execute(f"insert into {sessions} (select * replace (null as event_id) from {sessions} limit 2)")
    result = dbt_runner(composite, SMALL, db_name="duplicated.duckdb", check=False)
    assert result.returncode != 0
    assert "Got 2 results" in result.stdout, result.stdout[-3000:]
    result = dbt_runner(single, SMALL, db_name="duplicated.duckdb", check=False)
    assert result.returncode != 0
    assert "Got 1 result," in result.stdout, result.stdout[-3000:]


def test_segments_are_generated_and_stable_across_builds(built):
    db = built["db"]
    segments = query(db, "select segment_id, profiles from dim_segments order by 1")
    assert segments == built["segments_first"]  # same ids (and sizes) from the same data
    kinds = dict(query(db, "select segment_kind, count(*) from dim_segments group by 1"))
    # a segment nobody is in (here: high-value customers at high churn risk, on this small demo) is not listed
    assert kinds["propensity_bucket"] == 6 and kinds["value_tier"] == 3 and kinds["combined"] >= 1
    assert kinds["reason_code"] >= 3
    reason_sizes = query(db, "select min(profiles) from dim_segments where segment_kind = 'reason_code'")[0][0]
    assert reason_sizes >= 15
    assert query(db, "select count(*) from dim_segments where profiles = 0") == [(0,)]  # empty ones are not listed
    ids = {row[0] for row in segments}
    assert {
        "purchase_next_30d__likely_high_value_converters",
        "value_tier__top",
        "purchase_next_30d__bucket_high",
    } <= ids
    at_risk = query(
        db,
        "select m.profile_id, s.churn_next_30d_bucket, s.value_tier from fct_segment_memberships m "
        "join dim_customer_profiles s using (profile_id) "
        "where m.segment_id = 'churn_next_30d__high_value_at_risk'",
    )
    assert all(bucket == "high" and tier == "top" for _, bucket, tier in at_risk)


def test_profiles_carry_scores_reasons_value_and_segments(built):
    db = built["db"]
    profiles, staged = query(
        db,
        "select (select count(*) from dim_customer_profiles), "
        "(select count(distinct profile_id) from stg_experience_events)",
    )[0]
    assert profiles == staged
    row = query(
        db,
        "select purchase_next_30d_score, purchase_next_30d_bucket, purchase_next_30d_top_reason, "
        "predicted_clv, value_tier, segment_ids from dim_customer_profiles "
        "where purchase_next_30d_bucket = 'high' and value_tier is not null limit 1",
    )[0]
    score, bucket, reason, clv_value, tier, segment_ids = row
    assert score >= 75 and bucket == "high" and reason and clv_value is not None and tier
    assert "purchase_next_30d__bucket_high" in segment_ids.split(",")
    # every profile's segment list: its memberships' ids, sorted, each once
    listed = dict(query(db, "select profile_id, coalesce(segment_ids, '') from dim_customer_profiles"))
    members: dict[str, list[str]] = {profile: [] for profile in listed}
    for profile, segment in query(db, "select profile_id, segment_id from fct_segment_memberships"):
        members[profile].append(segment)
    assert listed == {profile: ",".join(sorted(ids)) for profile, ids in members.items()}


def test_parquet_copies_can_be_read_by_another_process_during_a_build(built):
    """While dbt rebuilds (and holds the DuckDB file), this process keeps reading the Parquet copies: every read
    sees a complete file, and the files do get replaced during the build."""
    import subprocess
    import time

    folder = built["tmp"] / "bi" / "ci"
    files = sorted(folder.glob("*.parquet"))
    assert {f.stem for f in files} >= {"dim_segments", "fct_segment_memberships", "dim_customer_profiles"}
    before = {f.name: f.stat().st_mtime_ns for f in files}

    command = [
        DBT,
        *MARTS,
        "--profiles-dir",
        str(PROJECT_DIR),
        "--project-dir",
        str(PROJECT_DIR),
        "--target",
        "ci",
        "--vars",
        json.dumps(small(built["tmp"])),
    ]
    # dbt's output goes to a file: a pipe nobody reads during the build fills up and stops dbt mid-build
    output_file = built["tmp"] / "concurrent_build.log"
    with open(output_file, "w") as sink:
        build = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=dbt_env(built["tmp"], "demo.duckdb"), stdout=sink, stderr=subprocess.STDOUT
        )
    # (the DuckDB file is not probed here: even a read-only open takes a lock that could make the build fail)
    reads, replaced_seen = 0, False
    try:
        while build.poll() is None:
            for f in files:
                with duckdb.connect() as reader:  # a fresh in-memory DuckDB, as a BI tool would use
                    rows = reader.sql(f"select count(*) from read_parquet('{f}')").fetchall()[0][0]
                assert rows >= 0
                reads += 1
                replaced_seen |= f.stat().st_mtime_ns != before[f.name]
            time.sleep(0.05)
        build.wait()
    finally:
        if build.poll() is None:
            build.kill()
    assert build.returncode == 0, output_file.read_text()[-3000:]
    assert reads > 50
    after = {f.name: f.stat().st_mtime_ns for f in files}
    assert all(after[name] != before[name] for name in before)
    segments = query(built["db"], "select count(*) from dim_segments")[0][0]
    with duckdb.connect() as reader:
        assert reader.sql(f"select count(*) from read_parquet('{folder / 'dim_segments.parquet'}')").fetchall() == [
            (segments,)
        ]
    assert replaced_seen or after != before
