"""Staging on real dbt runs: flat and XDM input, from a table or files, bad rows quarantined with a reason,
identity chosen by a var, and incremental sessionization that only touches the profiles with new events."""

from __future__ import annotations

import datetime as dt
import json
import re

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from flat_events import BUY, VIEW, flat_events, flat_file_source, rows_but_run_times

from customer_ai import demo_data as dd

FLAT_ROWS = [
    # event_id, profile_id, event_type, event_timestamp, revenue, quantity
    ("e1", "p1", "commerce.purchases", "2025-05-01T10:00:00Z", 20.0, 1.0),
    ("e2", "p1", "web.webpagedetails.pageViews", "2025-05-01T12:00:00+02:00", None, None),
    ("e3", None, "web.webpagedetails.pageViews", "2025-05-01T10:00:00Z", None, None),
    ("e4", "p2", "web.webpagedetails.pageViews", None, None, None),
    ("e5", "p2", "web.webpagedetails.pageViews", "yesterday-ish", None, None),
    ("e6", "p2", "web.webpagedetails.pageViews", "2999-01-01T00:00:00Z", None, None),
    ("e7", "p2", None, "2025-05-02T10:00:00Z", None, None),
    ("e8", "p2", "commerce.purchases", "2025-05-02T10:00:00Z", 10.0, -2.0),
    ("e9", "p2", "commerce.purchases", "2025-05-02T11:00:00Z", -10.0, 1.0),
    ("e1", "p1", "commerce.purchases", "2025-05-01T10:00:05Z", 20.0, 1.0),
    (None, "p3", "web.webpagedetails.pageViews", "2025-05-01T10:00:00Z", None, None),
    ("e10", "  ", "web.webpagedetails.pageViews", "2025-05-01T10:00:00Z", None, None),
]
EXPECTED_REASONS = {
    "missing identity": 2,
    "missing timestamp": 1,
    "unparseable timestamp": 1,
    "timestamp in the future of the run": 1,
    "missing event type (no eventType and no known measure)": 1,
    "negative quantity": 1,
    "negative revenue": 1,
    "duplicate event id": 1,
    "missing event id": 1,
}


def _flat_table() -> pa.Table:
    cols = list(zip(*FLAT_ROWS, strict=True))
    return pa.table(
        {
            "id": pa.array(cols[0], pa.string()),
            "ecid": pa.array(cols[1], pa.string()),
            "kind": pa.array(cols[2], pa.string()),
            "ts": pa.array(cols[3], pa.string()),
            "revenue": pa.array(cols[4], pa.float64()),
            "quantity": pa.array(cols[5], pa.float64()),
        }
    )


FLAT_MAPPING = {
    "event_id": "id",
    "profile_id": "ecid",
    "event_type": "kind",
    "event_timestamp": "ts",
    "purchase_id": None,
    "page_name": None,
    "page_url": None,
    "channel": None,
}


def test_flat_table_input_quarantines_every_bad_row_with_its_reason(tmp_path, dbt_runner):
    db = tmp_path / "flat.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema crm")
        frame = _flat_table()
        con.register("frame", frame)
        con.execute("create table crm.web_events as select * from frame")
    variables = {
        "customer_ai__events_source": "table",
        "customer_ai__events_format": "flat",
        "customer_ai__events_schema": "crm",
        "customer_ai__events_table": "web_events",
        "customer_ai__flat_columns": FLAT_MAPPING,
    }
    dbt_runner(
        [
            "build",
            "--select",
            "path:models/staging",
            "assert_staging_accounts_for_every_input_row",
            "--indirect-selection",
            "cautious",
        ],
        variables,
        db_name="flat.duckdb",
    )
    with duckdb.connect(str(db), read_only=True) as con:
        reasons = dict(
            con.sql("select rejection_reason, count(*) from stg_experience_events_rejected group by 1").fetchall()
        )
        staged = con.sql(
            "select event_id, profile_id, event_at from stg_experience_events order by event_id"
        ).fetchall()
    assert reasons == EXPECTED_REASONS
    assert [r[0] for r in staged] == ["e1", "e2"]
    # +02:00 is converted to UTC; the first copy of the duplicated e1 is the one kept
    assert str(staged[1][2]) == "2025-05-01 10:00:00"
    assert str(staged[0][2]) == "2025-05-01 10:00:00"
    assert len(staged) + sum(reasons.values()) == len(FLAT_ROWS)


def test_flat_input_missing_a_required_column_names_the_var(tmp_path, dbt_runner):
    pq.write_table(_flat_table().drop_columns(["ts"]), tmp_path / "events.parquet")
    variables = {
        "customer_ai__events_source": "files",
        "customer_ai__events_format": "flat",
        "customer_ai__events_path": str(tmp_path / "events.parquet"),
        "customer_ai__flat_columns": FLAT_MAPPING,
    }
    result = dbt_runner(["run", "--select", "stg_experience_events__parsed"], variables, check=False)
    assert result.returncode != 0
    assert "customer_ai__flat_columns.event_timestamp: the flat input has no column 'ts'" in result.stdout


def test_xdm_files_identity_is_chosen_by_a_var(tmp_path, dbt_runner):
    settings = dd.DemoSettings(n_profiles=150, seed=21)
    table = pa.Table.from_batches(list(dd.iter_xdm_batches(settings)))
    pq.write_table(table, tmp_path / "xdm.parquet")
    base = {"customer_ai__events_source": "files", "customer_ai__events_path": str(tmp_path / "xdm.parquet")}
    select = ["run", "--select", "path:models/staging"]

    dbt_runner(select, base, db_name="both.duckdb")
    dbt_runner(select, {**base, "customer_ai__identity_fields": ["mcid"]}, db_name="mcid.duckdb")

    def missing_identity(db):
        with duckdb.connect(str(tmp_path / db), read_only=True) as con:
            return con.sql(
                "select count(*) from stg_experience_events_rejected where rejection_reason = 'missing identity'"
            ).fetchall()[0][0]

    only_map = sum(1 for m in table["identityMap"].to_pylist() if m)
    assert missing_identity("both.duckdb") < 0.01 * table.num_rows
    # with only the mcid identity, every row that carries its id in identityMap alone has no identity
    assert missing_identity("mcid.duckdb") >= only_map


def test_incremental_sessionization_touches_only_profiles_with_new_events(tmp_path, dbt_runner):
    """A late event re-sessionizes its profile and aggregates that profile's sessions again; an untouched
    profile's rows are not rewritten in either table, and both equal a full build's."""
    sim = dd.simulate_block(dd.DemoSettings(n_profiles=60, seed=8), 0)
    events = dd.to_flat_table(sim)
    path = tmp_path / "events.parquet"
    pq.write_table(events, path)
    variables = flat_file_source(path)
    select = ["run", "--select", "+int_sessions_aggregated"]
    dbt_runner(select, variables, db_name="inc.duckdb")

    db = str(tmp_path / "inc.duckdb")
    with duckdb.connect(db) as con:
        last = con.sql(
            "select profile_id, max(event_at) from int_events_sessionized group by 1 order by 2 desc limit 1"
        ).fetchall()[0]
        # the profile whose latest visit is oldest: its events do not change
        other = con.sql(
            "select profile_id from int_events_sessionized group by 1 order by max(event_at) limit 1"
        ).fetchall()[0][0]
        # mark an untouched profile: an incremental run must not rewrite it
        con.execute("update int_events_sessionized set visit_number = -1 where profile_id = ?", [other])
        con.execute("update int_sessions_aggregated set event_count = -1 where profile_id = ?", [other])

    late_at = last[1].replace(microsecond=0).isoformat() + "Z"
    late = pa.table(
        {
            "event_id": ["late-event"],
            "profile_id": [last[0]],
            "event_type": ["web.webpagedetails.pageViews"],
            "event_timestamp": [late_at],
        }
    )
    pq.write_table(pa.concat_tables([events, late], promote_options="default"), path)
    dbt_runner(select, variables, db_name="inc.duckdb")
    dbt_runner(select + ["--full-refresh"], variables, db_name="full.duckdb")

    query = (
        "select event_id, profile_id, visit_start_epoch, piece_number, visit_number from int_events_sessionized "
        "where profile_id = ? order by event_id"
    )
    with (
        duckdb.connect(db, read_only=True) as inc,
        duckdb.connect(str(tmp_path / "full.duckdb"), read_only=True) as full,
    ):
        assert inc.sql(query, params=[last[0]]).fetchall() == full.sql(query, params=[last[0]]).fetchall()
        assert "late-event" in [r[0] for r in inc.sql(query, params=[last[0]]).fetchall()]
        untouched = {r[4] for r in inc.sql(query, params=[other]).fetchall()}
        assert untouched == {-1}
        assert (
            inc.sql("select count(*) from int_events_sessionized").fetchall()
            == full.sql("select count(*) from int_events_sessionized").fetchall()
        )
        marked = "select distinct event_count from int_sessions_aggregated where profile_id = ?"
        assert inc.sql(marked, params=[other]).fetchall() == [(-1,)]
    # every other session as a full build has it
    others = f"(select * from int_sessions_aggregated where profile_id <> '{other}')"
    assert rows_but_run_times(tmp_path / "inc.duckdb", others) == rows_but_run_times(tmp_path / "full.duckdb", others)


def test_sessionization_follows_the_days_staging_restaged(tmp_path, dbt_runner):
    """On DuckDB an incremental run sessionizes again the profiles with events on the days staging restaged (an
    edited event, a removed one) and reads nothing else of the others: a mark on an untouched profile's rows, even
    in the event columns, survives. A profile whose only change is a new day after its sessionized ones keeps its
    rows too (sessions end at midnight) and gets that day's sessions, numbered on from its last visit. The tables
    equal a full build's."""
    path = tmp_path / "events.parquet"
    variables = flat_file_source(path)
    select = ["run", "--select", "+int_sessions_aggregated"]
    events = [
        ("a1", "p1", VIEW, "2025-05-01T09:00:00Z", None),
        ("a2", "p1", VIEW, "2025-05-03T09:00:00Z", None),
        ("b1", "p2", VIEW, "2025-05-02T09:00:00Z", None),
        ("b2", "p2", VIEW, "2025-05-02T09:10:00Z", None),
        ("c1", "p3", VIEW, "2025-05-01T10:00:00Z", None),
        ("c2", "p3", BUY, "2025-05-02T10:00:00Z", 12.0),
        ("d1", "p4", VIEW, "2025-05-01T11:00:00Z", None),
    ]
    pq.write_table(flat_events(events), path)
    dbt_runner(select, variables, db_name="inc.duckdb")
    db = str(tmp_path / "inc.duckdb")
    with duckdb.connect(db) as con:  # a mark in a column the content of an event is read from
        con.execute("update int_events_sessionized set revenue = coalesce(revenue, 0) + 1000")

    # on 2025-05-02 p2's second view becomes a purchase and p3's purchase is removed; p1 gets a new day
    changed = [row for row in events if row[0] not in ("b2", "c2")]
    changed += [("b2", "p2", BUY, "2025-05-02T09:10:00Z", 30.0), ("a3", "p1", VIEW, "2025-05-04T09:00:00Z", None)]
    pq.write_table(flat_events(changed), path)
    dbt_runner(select, variables, db_name="inc.duckdb")
    with duckdb.connect(db, read_only=True) as con:
        kept = con.sql("select event_id from int_events_sessionized where revenue >= 1000 order by 1").fetchall()
        new_day = con.sql("select visit_number from int_events_sessionized where event_id = 'a3'").fetchall()
    # p2 and p3 changed on 2025-05-02 and are sessionized whole; p1 keeps its two days and p4 is untouched
    assert kept == [("a1",), ("a2",), ("d1",)]
    assert new_day == [(3,)]

    with duckdb.connect(db) as con:
        con.execute(
            "update int_events_sessionized set revenue = nullif(revenue - 1000, 0) where profile_id in ('p1', 'p4')"
        )
    dbt_runner(select + ["--full-refresh"], variables, db_name="full.duckdb")
    for table in ("int_events_sessionized", "int_sessions_aggregated"):
        assert rows_but_run_times(tmp_path / "inc.duckdb", table) == rows_but_run_times(tmp_path / "full.duckdb", table)


def test_xdm_json_lines_and_profile_attributes_without_personal_data(tmp_path, dbt_runner):
    """XDM as JSON lines; profile attributes join the features, personal-data columns never do."""
    table = pa.Table.from_batches(list(dd.iter_xdm_batches(dd.DemoSettings(n_profiles=80, seed=4))))
    with open(tmp_path / "events.jsonl", "w") as out:
        for row in table.to_pylist():  # as AEP writes JSON: identityMap is an object keyed by namespace
            row["identityMap"] = dict(row["identityMap"]) if row["identityMap"] else None
            out.write(json.dumps(row) + "\n")
    db = tmp_path / "attrs.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema crm")
        con.execute(
            "create table crm.customers as select 'ecid-' || lpad(cast(i as varchar), 9, '0') as ecid, "
            "case when i % 2 = 0 then 'gold' else 'silver' end as loyalty_tier, i * 1.5 as age, "
            "'person' || i || '@example.com' as email from range(80) t(i)"
        )
    variables = {
        "customer_ai__events_source": "files",
        "customer_ai__events_path": str(tmp_path / "events.jsonl"),
        "customer_ai__profile_attributes": {
            "relation": {"schema": "crm", "table": "customers"},
            "profile_id_column": "ecid",
            "columns": [
                {"name": "loyalty_tier", "type": "categorical"},
                {"name": "age", "type": "numeric"},
                {"name": "email", "personal_data": True},
            ],
        },
    }
    dbt_runner(
        ["run", "--select", "+int_profile_snapshots_featurized", "int_features_cataloged"],
        variables,
        db_name="attrs.duckdb",
    )
    with duckdb.connect(str(db), read_only=True) as con:
        staged = con.sql("select count(*) from stg_experience_events").fetchall()[0][0]
        columns = [r[0] for r in con.sql("describe int_profile_snapshots_featurized").fetchall()]
        tiers = con.sql("select distinct attr_loyalty_tier from int_profile_snapshots_featurized").fetchall()
        catalog = dict(con.sql("select feature_name, value_type from int_features_cataloged").fetchall())
        attribute_columns = [r[0] for r in con.sql("describe stg_profile_attributes").fetchall()]
    assert staged > 0.98 * table.num_rows
    assert {"attr_loyalty_tier", "attr_age"} <= set(columns)
    assert "attr_email" not in columns + attribute_columns
    assert {t[0] for t in tiers} == {"gold", "silver"}
    assert catalog["attr_loyalty_tier"] == "categorical" and catalog["attr_age"] == "numeric"

    # attributes have no date: a changed one is in every snapshot's features after the next run, and the run after
    # it computes none again
    select = ["run", "--select", "+int_profile_snapshots_featurized"]
    with duckdb.connect(str(db)) as con:
        con.execute("update crm.customers set loyalty_tier = 'platinum' where ecid = 'ecid-000000002'")
    logged = "int_profile_snapshots_featurized: computing {} snapshot dates, keeping {}"
    out = dbt_runner(select, variables, db_name="attrs.duckdb").stdout
    assert re.search(logged.format(r"[1-9]\d*", "0"), out), out[-3000:]
    out = dbt_runner(select, variables, db_name="attrs.duckdb").stdout
    assert re.search(logged.format("0", "[1-9]"), out), out[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        tiers = con.sql(
            "select distinct attr_loyalty_tier from int_profile_snapshots_featurized "
            "where profile_id = 'ecid-000000002'"
        ).fetchall()
    assert tiers == [("platinum",)]


def test_an_erased_profile_leaves_nothing_behind_after_an_incremental_run(tmp_path, dbt_runner):
    """An erasure request removes a profile's events from the input: the next normal (incremental) run must drop its
    sessions too, and a profile that lost one old event is re-sessionized, as a full refresh would have it."""
    sim = dd.simulate_block(dd.DemoSettings(n_profiles=40, seed=9), 0)
    events = dd.to_flat_table(sim)
    path = tmp_path / "events.parquet"
    pq.write_table(events, path)
    variables = flat_file_source(path)
    select = ["run", "--select", "+int_sessions_aggregated"]
    dbt_runner(select, variables, db_name="inc.duckdb")

    profiles = events["profile_id"].to_pylist()
    erased = profiles[0]
    edited = next(p for p in profiles if p != erased)
    first_of_edited = profiles.index(edited)  # its oldest event: far before any recent window
    keep = [p != erased and i != first_of_edited for i, p in enumerate(profiles)]
    pq.write_table(events.filter(pa.array(keep)), path)
    dbt_runner(select, variables, db_name="inc.duckdb")
    dbt_runner(select + ["--full-refresh"], variables, db_name="full.duckdb")

    def rows(db, table):
        return rows_but_run_times(tmp_path / db, table)

    with duckdb.connect(str(tmp_path / "inc.duckdb"), read_only=True) as con:
        for table in ("int_events_sessionized", "int_sessions_aggregated"):
            left = con.sql(f"select count(*) from {table} where profile_id = ?", params=[erased]).fetchall()
            assert left == [(0,)], table
    for table in ("int_events_sessionized", "int_sessions_aggregated"):
        assert rows("inc.duckdb", table) == rows("full.duckdb", table), table


def _freshness(dbt_runner, db_name: str, variables: dict) -> dict:
    dbt_runner(["source", "freshness"], variables, db_name=db_name, check=False)
    results = json.loads((dbt_runner.tmp_path / "target" / "sources.json").read_text())["results"]
    (result,) = results
    return result


def test_source_freshness_reads_the_newest_event_time_of_either_layout(tmp_path, dbt_runner):
    """`dbt source freshness` on a table source: the flat layout's mapped timestamp column (text with a zone, a name
    with a space), the XDM `timestamp`; fresh passes, 3 days old warns (warn after 2 days, error after 7)."""
    now = dt.datetime.now(dt.UTC)
    iso = "%Y-%m-%dT%H:%M:%SZ"
    db = tmp_path / "fresh.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema crm")
        con.execute(
            "create table crm.flat_events as select * from (values "
            f"('e1', 'p1', 'web.webpagedetails.pageViews', '{(now - dt.timedelta(days=40)).strftime(iso)}'), "
            f"('e2', 'p1', 'web.webpagedetails.pageViews', '{(now - dt.timedelta(hours=3)).strftime(iso)}')"
            ') as t(id, ecid, kind, "event time")'  # a CSV header with a space, as exports have
        )
        con.execute(
            "create table crm.xdm_events as select * from (values "
            f"('x1', '{(now - dt.timedelta(days=3)).strftime(iso)}')) as t(_id, timestamp)"
        )
    flat = _freshness(
        dbt_runner,
        "fresh.duckdb",
        {
            "customer_ai__events_source": "table",
            "customer_ai__events_format": "flat",
            "customer_ai__events_schema": "crm",
            "customer_ai__events_table": "flat_events",
            "customer_ai__flat_columns": {**FLAT_MAPPING, "event_timestamp": "event time"},
        },
    )
    assert flat["status"] == "pass", flat
    assert 2 * 3600 < flat["max_loaded_at_time_ago_in_s"] < 4 * 3600
    xdm = _freshness(
        dbt_runner,
        "fresh.duckdb",
        {
            "customer_ai__events_source": "table",
            "customer_ai__events_schema": "crm",
            "customer_ai__events_table": "xdm_events",
        },
    )
    assert xdm["status"] == "warn", xdm


STAGED_DAYS = [
    # day 1: changes below (a row erased, one edited, a late one arrives)
    ("kept-then-copied", "p1", VIEW, "2025-05-01T09:00:00Z", None),
    ("erased-first-copy", "p2", BUY, "2025-05-01T10:00:00Z", 5.0),
    ("edited-later", "p3", BUY, "2025-05-01T12:00:00Z", 7.0),
    # day 2: its input never changes, but copies of its ids arrive or leave on other days
    ("bad-then-good", "p1", BUY, "2025-05-02T09:00:00Z", -3.0),
    ("overtaken-by-a-late-copy", "p2", VIEW, "2025-05-02T10:00:00Z", None),
    ("erased-first-copy", "p2", BUY, "2025-05-02T10:30:00Z", 5.0),
    ("untouched", "p3", VIEW, "2025-05-02T11:00:00Z", None),
    (None, "p3", VIEW, "2025-05-02T13:00:00Z", None),
    # no usable time
    ("no-time", "p3", VIEW, "not a time", None),
]
ARRIVING = [
    # the next day, with copies of ids staged before
    ("new-day", "p1", VIEW, "2025-05-03T09:00:00Z", None),
    ("kept-then-copied", "p1", VIEW, "2025-05-03T09:30:00Z", None),
    ("bad-then-good", "p1", BUY, "2025-05-03T10:00:00Z", 3.0),
    # late, on day 1: an earlier copy of an id whose staged copy is on day 2
    ("overtaken-by-a-late-copy", "p2", VIEW, "2025-05-01T08:00:00Z", None),
    ("no-time", "p3", VIEW, "still not a time", None),
]


def test_incremental_staging_restages_changed_days_and_equals_a_full_build(tmp_path, dbt_runner):
    """A normal run re-stages only the days whose input changed, with every copy of the ids they hold: new and late
    copies of staged ids, an erased copy, an edited row, rows without a time, and a change of the rules all give the
    tables a full build gives, and a row of a day that did not change is not rewritten."""
    path = tmp_path / "events.parquet"
    variables = flat_file_source(path)
    select = ["run", "--select", "stg_experience_events__parsed", "stg_experience_events__validated+1"]
    tables = ("stg_experience_events__validated", "stg_experience_events", "stg_experience_events_rejected")

    def rows(db: str, table: str) -> list[tuple]:
        return rows_but_run_times(tmp_path / db, table)

    def refresh_and_compare(events: pa.Table, settings: dict) -> None:
        pq.write_table(events, path)
        dbt_runner(select, {**variables, **settings}, db_name="inc.duckdb")
        dbt_runner(select + ["--full-refresh"], {**variables, **settings}, db_name="full.duckdb")
        with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
            marked = con.sql("select page_name from stg_experience_events where event_id = 'untouched'").fetchall()
            con.execute("update stg_experience_events__validated set page_name = null where event_id = 'untouched'")
        assert marked == [(mark,)]
        for table in tables:
            assert rows("inc.duckdb", table) == rows("full.duckdb", table), table

    pq.write_table(flat_events(STAGED_DAYS), path)
    dbt_runner(select, variables, db_name="inc.duckdb")
    with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
        # a mark on a row of day 2, whose input never changes below: a run that restaged it would erase the mark
        con.execute(
            "update stg_experience_events__validated set page_name = 'not restaged' where event_id = 'untouched'"
        )
    mark = "not restaged"

    # the day arrives; day 1 loses the first copy of an id whose second copy is on day 2, and a row of it is edited
    arrived = [row for row in STAGED_DAYS if row[:4] != ("erased-first-copy", "p2", BUY, "2025-05-01T10:00:00Z")]
    arrived = [(*row[:4], 9.0) if row[0] == "edited-later" else row for row in arrived]
    refresh_and_compare(flat_events(arrived + ARRIVING), {})
    log = (tmp_path / "logs" / "dbt.log").read_text()
    assert "restaging 2 event days and the rows without a usable timestamp" in log, log[-3000:]
    reasons = dict(rows("inc.duckdb", "(select event_id, rejection_reason from stg_experience_events_rejected)"))
    assert reasons["kept-then-copied"] == "duplicate event id"
    assert reasons["bad-then-good"] == "negative revenue"
    assert reasons["overtaken-by-a-late-copy"] == "duplicate event id"
    assert "erased-first-copy" not in reasons
    # restaged rows carry the time of this run, the others keep the time they were staged at
    staged_at = dict(rows("inc.duckdb", "(select event_id, staged_at as at from stg_experience_events__validated)"))
    assert staged_at["untouched"] < staged_at["edited-later"]

    # a stricter rule: every day is judged again, the marked one too
    with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
        con.execute(
            "update stg_experience_events__validated set page_name = 'judged again?' where event_id = 'untouched'"
        )
    mark = None
    refresh_and_compare(flat_events(arrived + ARRIVING), {"customer_ai__max_event_revenue": 6})
    reasons = dict(rows("inc.duckdb", "(select event_id, rejection_reason from stg_experience_events_rejected)"))
    assert reasons["edited-later"] == "revenue above customer_ai__max_event_revenue"


def test_restaged_days_are_picked_by_time_ranges_that_hold_exactly_their_dates(dbt_runner):
    """Restaging finds a day's rows by ranges of event_at (a scan can filter by them before it reads the wide
    rows): they hold the same moments as the days' dates, midnights and the last microsecond before them included,
    with consecutive days merged into one range."""
    days = ["2025-05-03", "2025-05-01", "2025-05-02", "2025-05-05", "2025-05-01"]
    on_days = f"customer_ai_on_days('moment', {days})"
    query = f"""
        with moments as (
            select unnest(generate_series(timestamp '2025-04-29', timestamp '2025-05-08', interval 1 hour)) as moment
            union all
            select unnest(generate_series(timestamp '2025-04-29', timestamp '2025-05-08', interval 1 day))
                - interval 1 microsecond
            union all
            select null
        )
        select
            count(*) filter (
                where ({{{{ {on_days} }}}}) is distinct from
                    ({{{{ customer_ai_in_dates('cast(moment as date)', {days}) }}}})
            ) as disagreements,
            count(*) filter (where {{{{ {on_days} }}}}) as moments_on_the_days,
            count(*) filter (where {{{{ customer_ai_on_days('moment', []) }}}}) as moments_on_no_days,
            {{{{ customer_ai_string_literal({on_days}) }}}} as written
        from moments
    """
    result = dbt_runner(["show", "--inline", query, "--output", "json"])
    (shown,) = json.loads(result.stdout[result.stdout.index("{") :])["show"]
    assert shown["disagreements"] == 0, shown
    # four days of 24 hourly moments, and the last microsecond of each
    assert shown["moments_on_the_days"] == 4 * 24 + 4, shown
    assert shown["moments_on_no_days"] == 0, shown
    assert shown["written"].count(">=") == 2, shown["written"]  # 1-3 May and 5 May


def test_parsing_reads_only_new_and_changed_files_and_equals_a_full_build(tmp_path, dbt_runner):
    """With file input the parsed rows are kept per file: a run parses the new and changed files only, drops the
    rows of a file that is gone, parses every file again when a parsing setting changes, and always holds the rows
    a full build holds."""
    folder = tmp_path / "events"
    folder.mkdir()
    variables = flat_file_source(folder / "*.parquet")
    select = ["run", "--select", "stg_experience_events__parsed", "stg_experience_events__validated+1"]
    tables = ("stg_experience_events__parsed", "stg_experience_events__validated", "stg_experience_events_rejected")
    untouched = "(select event_id, page_name from stg_experience_events__parsed where event_id = 'untouched')"

    def mark_untouched() -> None:
        # a mark on a row of a file that never changes below: a run that parsed that file again would erase it
        with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
            con.execute("update stg_experience_events__parsed set page_name = 'kept' where event_id = 'untouched'")

    def refresh_and_compare(settings: dict, parsed: str, mark: str | None) -> None:
        result = dbt_runner(select, {**variables, **settings}, db_name="inc.duckdb")
        assert f"stg_experience_events__parsed: parsing {parsed}" in result.stdout, result.stdout[-3000:]
        assert rows_but_run_times(tmp_path / "inc.duckdb", untouched) == [("untouched", mark)]
        if mark == "kept":
            with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
                con.execute("update stg_experience_events__parsed set page_name = null where event_id = 'untouched'")
        dbt_runner(select + ["--full-refresh"], {**variables, **settings}, db_name="full.duckdb")
        for table in tables:
            assert rows_but_run_times(tmp_path / "inc.duckdb", table) == rows_but_run_times(
                tmp_path / "full.duckdb", table
            ), table

    day_2 = [row for row in STAGED_DAYS if row[3].startswith("2025-05-02")]
    pq.write_table(flat_events(day_2), folder / "day-2.parquet")
    pq.write_table(flat_events([row for row in STAGED_DAYS if row not in day_2]), folder / "day-1.parquet")
    dbt_runner(select, variables, db_name="inc.duckdb")
    with duckdb.connect(str(tmp_path / "inc.duckdb")) as con:
        files = con.sql("select distinct parse_filename(input_file) from stg_experience_events__parsed").fetchall()
    assert sorted(files) == [("day-1.parquet",), ("day-2.parquet",)]

    # a new file arrives (with a late copy of a day-2 id) and day 1's file is rewritten with an edited row
    mark_untouched()
    pq.write_table(flat_events(ARRIVING), folder / "day-3.parquet")
    edited = [(*row[:4], 9.0) if row[0] == "edited-later" else row for row in STAGED_DAYS if row not in day_2]
    edited.append(("one-more", "p1", VIEW, "2025-05-01T18:00:00Z", None))
    pq.write_table(flat_events(edited), folder / "day-1.parquet")
    refresh_and_compare({}, "2 new or changed input files", "kept")

    # a file is gone: its rows leave the parsed and the staged tables, and nothing is parsed
    mark_untouched()
    (folder / "day-3.parquet").unlink()
    refresh_and_compare({}, "0 new or changed input files", "kept")

    # a parsing setting changes (the page name now comes from another column): every file is parsed again
    mark_untouched()
    refresh_and_compare({"customer_ai__flat_columns": {"page_name": "profile_id"}}, "every input file", "p3")


def test_a_table_staged_before_rows_had_fingerprints_is_restaged_whole(tmp_path, dbt_runner):
    """A warehouse staged by an earlier version has no input_row_hash, staging_rules_fingerprint or staged_at: the next
    normal run adds them and restages every day, and gets the rows a full build gets."""
    path = tmp_path / "events.parquet"
    pq.write_table(flat_events(STAGED_DAYS), path)
    variables = flat_file_source(path)
    select = ["run", "--select", "stg_experience_events__parsed", "stg_experience_events__validated"]
    dbt_runner(select, variables, db_name="old.duckdb")
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        for column in ("input_row_hash", "staging_rules_fingerprint", "staged_at"):
            con.execute(f"alter table stg_experience_events__validated drop column {column}")
    pq.write_table(flat_events(STAGED_DAYS + ARRIVING), path)
    result = dbt_runner(select, variables, db_name="old.duckdb")
    assert "restaging every event day" in result.stdout, result.stdout[-3000:]
    dbt_runner(select + ["--full-refresh"], variables, db_name="full.duckdb")
    old, full = (
        rows_but_run_times(tmp_path / db, "stg_experience_events__validated") for db in ("old.duckdb", "full.duckdb")
    )
    assert old == full


def test_per_day_models_recompute_restaged_days_drop_vanished_ones_and_follow_their_rules(tmp_path, dbt_runner):
    """The daily activity and the prediction flags recompute only the days staging restaged: a run with nothing new
    recomputes none, a day whose events were all erased loses its rows, a late event is counted, and a change of a
    custom event recomputes every day; each time the tables are those of a full build."""
    path = tmp_path / "events.parquet"
    variables = flat_file_source(path)
    select = ["run", "--select", "+int_profile_activities_aggregated_to_days", "+int_prediction_activity_flagged"]
    per_day_models = ("int_profile_activities_aggregated_to_days", "int_prediction_activity_flagged")

    def rows(db: str, table: str) -> list[tuple]:
        return rows_but_run_times(tmp_path / db, table)

    def refresh_and_compare(events: list[tuple], settings: dict) -> str:
        pq.write_table(flat_events(events), path)
        result = dbt_runner(select, {**variables, **settings}, db_name="inc.duckdb")
        dbt_runner(select + ["--full-refresh"], {**variables, **settings}, db_name="full.duckdb")
        for table in per_day_models:
            assert rows("inc.duckdb", table) == rows("full.duckdb", table), table
        return result.stdout

    everything = STAGED_DAYS + ARRIVING
    refresh_and_compare(everything, {})
    out = refresh_and_compare(everything, {})
    for model in per_day_models:
        assert f"{model}: recomputing 0 event days" in out, out[-3000:]

    # day 3 is erased (every event of it) and a purchase arrives late on day 1
    later = [row for row in everything if not row[3].startswith("2025-05-03")]
    later.append(("late-purchase", "p3", BUY, "2025-05-01T15:00:00Z", 4.0))
    out = refresh_and_compare(later, {})
    assert "int_profile_activities_aggregated_to_days: recomputing" in out, out[-3000:]
    days = rows("inc.duckdb", "(select distinct activity_date from int_profile_activities_aggregated_to_days)")
    assert [str(day) for (day,) in days] == ["2025-05-01", "2025-05-02"]

    big_purchase = [{"name": "big_purchase", "conditions": [{"field": "revenue", "operator": "gt", "value": 4}]}]
    out = refresh_and_compare(later, {"customer_ai__custom_events": big_purchase})
    assert "int_profile_activities_aggregated_to_days: recomputing every event day (its rules changed)" in out
    assert "int_prediction_activity_flagged: recomputing 0 event days" in out, out[-3000:]
