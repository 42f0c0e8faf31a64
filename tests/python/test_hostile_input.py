"""Hostile input rows on real dbt runs: every bad row ends in the quarantine with a named reason or is staged
correctly, the build goes on, and input rows = staged + rejected still holds."""

from __future__ import annotations

import datetime as dt
import json
import math

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

STAGING = ["build", "--select", "path:models/staging", "assert_staging_accounts_for_every_input_row"]
STAGING += ["--indirect-selection", "cautious"]


def _files(path, **extra):
    return {"customer_ai__events_source": "files", "customer_ai__events_path": str(path), **extra}


def _flat(path, **extra):
    return _files(path, customer_ai__events_format="flat", **extra)


def _query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


def _event(event_id, profile="p1", kind="web.webpagedetails.pageViews", at="2025-05-01T10:00:00Z", **values):
    return {"event_id": event_id, "profile_id": profile, "event_type": kind, "event_timestamp": at, **values}


# JSON lines in which revenue and quantity arrive with mixed types, as hand-written exports do
JSON_ROWS = [
    _event("ok-text", kind="commerce.purchases", revenue="12.5", quantity="2"),
    _event("ok-number", kind="commerce.purchases", revenue=20.25, quantity=1),
    _event("bad-text", kind="commerce.purchases", revenue="abc"),
    _event("bad-list", kind="commerce.purchases", revenue=[1, 2]),
    _event("bad-quantity", kind="commerce.purchases", revenue=5, quantity="two"),
    _event("nan-text", kind="commerce.purchases", revenue="NaN"),
    _event("inf-text", kind="commerce.purchases", revenue="Infinity"),
    _event("huge", kind="commerce.purchases", revenue=2.5e12),
    _event("huge-quantity", kind="commerce.purchases", revenue=5, quantity=5e7),
    _event("tab", profile="\t"),
    _event("newline", profile="\n \r\n"),
    _event("zero-width", profile="\u200b"),
    _event("nbsp", profile=" \u00a0\ufeff "),
    _event("padded-id", profile="\u200bp2 \t"),
    _event("upper", kind="COMMERCE.PURCHASES", revenue=1),
    _event("spaced", kind=" commerce.purchases\t", revenue=1),
    _event("camel", kind="web.webPageDetails.pageViews"),
    _event("typo", kind="commerce.purchase"),
    _event("custom", kind="myapp.loyaltySignup"),
]
JSON_REASONS = {
    "bad-text": "unparseable revenue",
    "bad-list": "unparseable revenue",
    "bad-quantity": "unparseable quantity",
    "nan-text": "revenue is not a finite number",
    "inf-text": "revenue is not a finite number",
    "huge": "revenue above customer_ai__max_event_revenue",
    "huge-quantity": "quantity above customer_ai__max_event_quantity",
    "tab": "missing identity",
    "newline": "missing identity",
    "zero-width": "missing identity",
    "nbsp": "missing identity",
    "typo": "unknown event type",
    "custom": "unknown event type",
}


def test_values_of_the_wrong_type_are_parsed_or_rejected_by_name(tmp_path, dbt_runner):
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in JSON_ROWS))
    dbt_runner(STAGING, _flat(path), db_name="json.duckdb")
    db = tmp_path / "json.duckdb"
    rejected = dict(_query(db, "select event_id, rejection_reason from stg_experience_events_rejected"))
    staged = {
        r[0]: r[1:]
        for r in _query(db, "select event_id, profile_id, event_type, revenue, quantity from stg_experience_events")
    }
    assert rejected == JSON_REASONS
    assert len(staged) + len(rejected) == len(JSON_ROWS)
    assert staged["ok-text"] == ("p1", "commerce.purchases", 12.5, 2.0)  # '12.5' converts
    assert staged["ok-number"] == ("p1", "commerce.purchases", 20.25, 1.0)
    assert staged["padded-id"][0] == "p2"  # invisible characters around an id are not part of it
    # other spellings of a known type are that type; a misspelt or unlisted one is rejected, never staged silently
    assert staged["upper"][1] == staged["spaced"][1] == "commerce.purchases"
    assert staged["camel"][1] == "web.webpagedetails.pageViews"

    # your own event types are accepted once listed
    dbt_runner(STAGING, _flat(path, customer_ai__extra_event_types=["myapp.loyaltySignup"]), db_name="json.duckdb")
    assert _query(db, "select event_type from stg_experience_events where event_id = 'custom'") == [
        ("myapp.loyaltySignup",)
    ]


def test_not_a_number_and_infinities_from_parquet_are_rejected(tmp_path, dbt_runner):
    rows = [
        ("nan", math.nan, 1.0),
        ("inf", math.inf, 1.0),
        ("minus-inf", -math.inf, 1.0),
        ("quantity-nan", 10.0, math.nan),
        ("quantity-inf", 10.0, math.inf),
        ("fine", 10.0, 1.0),
    ]
    table = pa.table(
        {
            "event_id": [r[0] for r in rows],
            "profile_id": ["p1"] * len(rows),
            "event_type": ["commerce.purchases"] * len(rows),
            "event_timestamp": ["2025-05-01T10:00:00Z"] * len(rows),
            "revenue": [r[1] for r in rows],
            "quantity": [r[2] for r in rows],
        }
    )
    pq.write_table(table, tmp_path / "events.parquet")
    dbt_runner(STAGING, _flat(tmp_path / "events.parquet"), db_name="nan.duckdb")
    rejected = dict(
        _query(tmp_path / "nan.duckdb", "select event_id, rejection_reason from stg_experience_events_rejected")
    )
    assert rejected == {
        "nan": "revenue is not a finite number",
        "inf": "revenue is not a finite number",
        "minus-inf": "revenue is not a finite number",
        "quantity-nan": "quantity is not a finite number",
        "quantity-inf": "quantity is not a finite number",
    }
    assert _query(tmp_path / "nan.duckdb", "select event_id from stg_experience_events") == [("fine",)]


def _copies(order):
    """Two copies of each of two event ids, same profile and time, different content; `order` picks the file."""
    rows = [
        _event("dup-1", kind="commerce.purchases", revenue=10.0, page_name="cart"),
        _event("dup-1", kind="commerce.purchases", revenue=99.0, page_name="checkout"),
        _event("dup-2", kind="web.webpagedetails.pageViews", page_name="home"),
        _event("dup-2", kind="commerce.productViews", page_name="home"),
        _event("single", kind="web.webpagedetails.pageViews"),
    ]
    first, second = [rows[0], rows[3], rows[4]], [rows[1], rows[2]]
    return (first, second) if order == "ab" else (second, first)


def test_which_duplicate_is_kept_depends_on_content_not_on_input_order(tmp_path, dbt_runner):
    staged = {}
    for order in ("ab", "ba"):
        folder = tmp_path / order
        folder.mkdir()
        for name, part in zip(("part-1.parquet", "part-2.parquet"), _copies(order), strict=True):
            pq.write_table(pa.Table.from_pylist(part), folder / name)
        dbt_runner(STAGING, _flat(folder / "*.parquet"), db_name=f"{order}.duckdb")
        staged[order] = _query(
            tmp_path / f"{order}.duckdb",
            "select event_id, event_type, revenue, page_name from stg_experience_events order by event_id",
        )
        rejected = _query(tmp_path / f"{order}.duckdb", "select count(*) from stg_experience_events_rejected")
        assert rejected == [(2,)]
    assert staged["ab"] == staged["ba"]


def _day_events(day: dt.date, profiles: int, prefix: str) -> list[dict]:
    return [_event(f"{prefix}-{day}-{p}", profile=f"p{p}", at=f"{day}T12:00:00Z") for p in range(profiles)]


def test_a_few_stray_late_events_do_not_move_the_as_of_date(tmp_path, dbt_runner):
    """Thirty busy days, then one event two hours before the run (a test event, a device with a wrong clock): the
    default as-of date stays on the last busy day, the build says which day it left out and why, and an explicit
    as-of date is obeyed."""
    start = dt.date(2025, 3, 1)
    rows = []
    for offset in range(30):
        rows += _day_events(start + dt.timedelta(days=offset), 20, "bulk")
    stray_at = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows.append(_event("stray", profile="p1", at=stray_at))
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "events.parquet")
    select = ["run", "--select", "+int_as_of_dates_resolved"]

    result = dbt_runner(select, _flat(tmp_path / "events.parquet"), db_name="asof.duckdb")
    chosen = _query(
        tmp_path / "asof.duckdb",
        "select as_of_date, days_after_as_of, events_after_as_of from int_as_of_dates_resolved",
    )
    assert chosen == [(dt.date(2025, 3, 30), 1, 1)]
    output = result.stdout
    assert "1 event(s) on 1 day(s) after the as-of date 2025-03-30 are left out" in output
    assert f"{stray_at[:10]}: 1" in output

    explicit = _flat(tmp_path / "events.parquet", customer_ai__as_of_date="2025-03-20")
    dbt_runner(select, explicit, db_name="asof.duckdb")
    assert _query(tmp_path / "asof.duckdb", "select as_of_date, as_of_rule from int_as_of_dates_resolved") == [
        (dt.date(2025, 3, 20), "customer_ai__as_of_date")
    ]


def test_csv_input_is_read_with_its_header(tmp_path, dbt_runner):
    lines = ["event_id,profile_id,event_type,event_timestamp,revenue"]
    lines += [f"e{i},p{i % 3},commerce.purchases,2025-05-0{1 + i % 5}T10:00:00Z,{10 + i}.5" for i in range(9)]
    lines += ["bad,p1,commerce.purchases,2025-05-01T10:00:00Z,ten"]
    (tmp_path / "events.csv").write_text("\n".join(lines) + "\n")
    dbt_runner(STAGING, _flat(tmp_path / "events.csv"), db_name="csv.duckdb")
    db = tmp_path / "csv.duckdb"
    assert _query(db, "select count(*), sum(revenue) from stg_experience_events") == [(9, 9 * 10.5 + 36)]
    assert _query(db, "select event_id, rejection_reason from stg_experience_events_rejected") == [
        ("bad", "unparseable revenue")
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("header_only.csv", "event_id,profile_id,event_type,event_timestamp\n", "has no rows; nothing to stage"),
        ("empty.jsonl", "", "has no columns (an empty file?); nothing to stage"),
        ("events.txt", "x", "cannot tell the format of"),
    ],
)
def test_input_that_cannot_be_staged_gets_a_clear_message(tmp_path, dbt_runner, name, content, expected):
    (tmp_path / name).write_text(content)
    result = dbt_runner(["run", "--select", "stg_experience_events__parsed"], _flat(tmp_path / name), check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert expected in output, output[-3000:]
    assert "Traceback" not in output
