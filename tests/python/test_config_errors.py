"""A bad configuration stops the run with a message that names the prediction and the key that is wrong."""

from __future__ import annotations

import copy

import duckdb
import pytest

VALID_PREDICTION = {
    "name": "buy_soon",
    "propensity_type": "conversion",
    "goal": {"will": "occur", "match": "any", "conditions": [{"event_type": "commerce.purchases"}]},
    "outcome_window_days": 30,
    "eligibility": {"active_within_days": 45, "conditions": []},
    "exclusions": [],
}


def _prediction(**changes):
    p = copy.deepcopy(VALID_PREDICTION)
    for dotted, value in changes.items():
        target = p
        keys = dotted.split("__")
        for k in keys[:-1]:
            target = target[k]
        if value is _DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return p


_DELETE = object()

CASES = {
    "unknown operator": (
        [_prediction(goal__conditions=[{"field": "revenue", "operator": "greater", "value": 5}])],
        "customer_ai__predictions[buy_soon].goal.conditions[0].operator: unknown operator 'greater'",
    ),
    "unknown propensity type": (
        [_prediction(propensity_type="upsell")],
        "customer_ai__predictions[buy_soon].propensity_type: unknown propensity type 'upsell'",
    ),
    "missing window": (
        [_prediction(outcome_window_days=_DELETE)],
        "customer_ai__predictions[buy_soon].outcome_window_days: missing",
    ),
    "duplicate name": (
        [_prediction(), _prediction()],
        "customer_ai__predictions[buy_soon].name: duplicate prediction name 'buy_soon'",
    ),
    "negative window": (
        [_prediction(outcome_window_days=-7)],
        "customer_ai__predictions[buy_soon].outcome_window_days: must be a positive whole number of days, got -7",
    ),
    "negative eligibility days": (
        [_prediction(eligibility={"active_within_days": -1})],
        "customer_ai__predictions[buy_soon].eligibility.active_within_days: must be a positive whole number",
    ),
    "unknown field": (
        [_prediction(goal__conditions=[{"field": "revenu", "operator": "gte", "value": 50}])],
        "customer_ai__predictions[buy_soon].goal.conditions[0].field: unknown field 'revenu'",
    ),
    "misspelt key": (
        [_prediction(outcome_windows_days=30)],
        "customer_ai__predictions[buy_soon].outcome_windows_days: unknown key",
    ),
    "a name with a trailing line break": (
        [_prediction(name="p1\n")],
        "customer_ai__predictions[0].name: must be a lower-case identifier (letters, digits, _), got 'p1\\n'",
    ),
    "unknown event type in a goal": (
        [_prediction(goal__conditions=[{"event_type": "commerce.purchase"}])],
        "customer_ai__predictions[buy_soon].goal.conditions[0].event_type: unknown event type 'commerce.purchase'",
    ),
    "event type in another spelling": (
        [_prediction(goal__conditions=[{"event_type": "Commerce.Purchases"}])],
        "customer_ai__predictions[buy_soon].goal.conditions[0].event_type: 'Commerce.Purchases' is written "
        "'commerce.purchases'",
    ),
    "comparison on text": (
        [_prediction(goal__conditions=[{"field": "page_name", "operator": "gt", "value": 3}])],
        "customer_ai__predictions[buy_soon].goal.conditions[0].operator: "
        "'gt' compares numbers but field 'page_name' is text",
    ),
}


def _validate(dbt_runner, variables):
    result = dbt_runner(["run-operation", "customer_ai_validate_config"], variables=variables, check=False)
    return result.returncode, result.stdout + result.stderr


def test_bad_config_names_prediction_and_key(dbt_runner):
    """Every case at once (the check lists every problem it finds): each message names the prediction and the key."""
    predictions, expected = [], []
    for case in sorted(CASES):
        case_predictions, message = CASES[case]
        offset = len(predictions)
        renamed = f"case_{len(expected)}"
        for p in copy.deepcopy(case_predictions):
            if p.get("name") == "buy_soon":
                p["name"] = renamed
            predictions.append(p)
        message = message.replace("[buy_soon]", f"[{renamed}]").replace("'buy_soon'", f"'{renamed}'")
        message = message.replace("customer_ai__predictions[0]", f"customer_ai__predictions[{offset}]")
        expected.append((case, message))
    returncode, output = _validate(dbt_runner, {"customer_ai__predictions": predictions})
    assert returncode != 0
    assert "Customer AI configuration is invalid" in output, output[-3000:]
    missing = [(case, message) for case, message in expected if message not in output]
    assert not missing, f"{missing}\n{output[-4000:]}"


def test_valid_config_passes(dbt_runner):
    result = dbt_runner(
        ["run-operation", "customer_ai_validate_config"],
        variables={"customer_ai__predictions": [VALID_PREDICTION]},
        check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_build_stops_before_any_model_on_a_bad_config(dbt_runner):
    """The check also guards `dbt build`: nothing is built from a broken configuration."""
    bad = [_prediction(propensity_type="upsell")]
    result = dbt_runner(
        ["build", "--select", "stg_experience_events"], variables={"customer_ai__predictions": bad}, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "propensity_type: unknown propensity type 'upsell'" in output
    assert "OK created" not in output


GLOBAL_CASES = [
    ({"customer_ai__clv_time_unit": "months"}, "customer_ai__clv_time_unit: unknown unit 'months'"),
    ({"customer_ai__clv_annual_discount_rate": 1.5}, "customer_ai__clv_annual_discount_rate: must be a number"),
    ({"customer_ai__retrain_policy": "weekly"}, "customer_ai__retrain_policy: unknown policy 'weekly'"),
    ({"customer_ai__max_event_revenue": "1e9"}, "customer_ai__max_event_revenue: must be a positive number"),
    ({"customer_ai__feature_event_types": ["commerce.purchases", "page_views"]}, "unknown event type 'page_views'"),
    ({"customer_ai__identity_namespaces": "ECID"}, "customer_ai__identity_namespaces: must be a non-empty list"),
    ({"customer_ai__extra_event_types": ["Commerce.Purchases"]}, "is a standard event type already"),
    ({"customer_ai__backtest_dates": ["2025-02-30"]}, "customer_ai__backtest_dates[0]: '2025-02-30' is not a date"),
    ({"customer_ai__min_holdout_examples": 0}, "customer_ai__min_holdout_examples: must be a positive whole number"),
    ({"customer_ai__reason_segment_buckets": ["low"]}, "customer_ai__reason_segment_buckets: must be a list of high"),
    ({"customer_ai__report_dir": 5}, "customer_ai__report_dir: must be a folder path or null, got 5"),
    ({"customer_ai__passthrough_fields": "tracking_code"}, "customer_ai__passthrough_fields: must be a list of"),
    (
        {"customer_ai__custom_events": [{"name": "sem_buy", "match": "all", "conditions": [{"field": "revenue"}]}]},
        "customer_ai__custom_events[sem_buy].match: 'all' is written all_on_one_event",
    ),
]
DATE_CASES = [
    ("2025-13-45", "customer_ai__as_of_date: '2025-13-45' is not a date in the calendar"),
    ("2025-02-29", "customer_ai__as_of_date: '2025-02-29' is not a date in the calendar"),
    ("2099-01-01", "customer_ai__as_of_date: 2099-01-01 is in the future"),
    ("31/01/2026", "customer_ai__as_of_date: must be a date written YYYY-MM-DD, got '31/01/2026'"),
]


def test_bad_global_settings_name_the_var(dbt_runner):
    variables = {}
    for case, _ in GLOBAL_CASES:
        variables.update(case)
    returncode, output = _validate(dbt_runner, variables)
    assert returncode != 0
    missing = [expected for _, expected in GLOBAL_CASES if expected not in output]
    assert not missing, f"{missing}\n{output[-4000:]}"


def test_a_pass_through_field_cannot_take_the_name_of_a_staged_column(dbt_runner):
    # staged columns, and the working columns staging adds on the way (a field of that name made them ambiguous)
    taken = ["staged_at", "revenue", "order_total", "row_problem", "identity_2", "has_commerce_purchases_measure"]
    fields = [{"name": "tracking_code"}] + [{"name": name} for name in taken]
    returncode, output = _validate(dbt_runner, {"customer_ai__passthrough_fields": fields})
    assert returncode != 0
    for index, name in enumerate(taken, start=1):
        expected = f"passthrough_fields[{index}].name: '{name}' is a column name the project's staging uses"
        assert expected in output, output[-3000:]
    assert "passthrough_fields[0]" not in output, output[-3000:]


@pytest.mark.parametrize(("as_of", "expected"), DATE_CASES)
def test_bad_as_of_dates_are_refused_up_front(as_of, expected, dbt_runner):
    returncode, output = _validate(dbt_runner, {"customer_ai__as_of_date": as_of})
    assert returncode != 0
    assert expected in output, output[-3000:]


def test_a_files_source_in_an_unknown_format_is_refused(dbt_runner):
    returncode, output = _validate(
        dbt_runner, {"customer_ai__events_source": "files", "customer_ai__events_path": "exports/events.xlsx"}
    )
    assert returncode != 0
    assert "customer_ai__events_path: cannot tell the format of 'exports/events.xlsx'" in output
    assert ".parquet, .json / .jsonl / .ndjson (optionally .gz), .csv" in output


# Each setting that names something in the warehouse or the input, with a value that would end the quoted name and
# append SQL of its own (the statement drops the canary table).
PAYLOAD = 'experience_events"; drop table canary; select 1 as "x'
INJECTED = {
    "customer_ai__events_source": "table",
    "customer_ai__events_format": "flat",
    "customer_ai__events_database": PAYLOAD,
    "customer_ai__events_schema": PAYLOAD,
    "customer_ai__events_table": PAYLOAD,
    "customer_ai__flat_columns": {
        "event_id": PAYLOAD,
        "profile_id": PAYLOAD,
        "event_type": PAYLOAD,
        "event_timestamp": PAYLOAD,
        "revenue": PAYLOAD,
    },
    "customer_ai__passthrough_fields": [{"name": "tracking_code", "xdm_path": PAYLOAD, "flat_column": PAYLOAD}],
    "customer_ai__identity_namespaces": ["ECID'; drop table canary; --"],
    "customer_ai__profile_attributes": {
        "relation": {"database": PAYLOAD, "schema": PAYLOAD, "table": PAYLOAD},
        "profile_id_column": PAYLOAD,
        "columns": [{"name": PAYLOAD}],
    },
}
NAMED = [
    "customer_ai__events_database",
    "customer_ai__events_schema",
    "customer_ai__events_table",
    "customer_ai__flat_columns.event_id",
    "customer_ai__flat_columns.profile_id",
    "customer_ai__flat_columns.event_type",
    "customer_ai__flat_columns.event_timestamp",
    "customer_ai__flat_columns.revenue",
    "customer_ai__passthrough_fields[0].xdm_path",
    "customer_ai__passthrough_fields[0].flat_column",
    "customer_ai__identity_namespaces[0]",
    "customer_ai__profile_attributes.relation.database",
    "customer_ai__profile_attributes.relation.schema",
    "customer_ai__profile_attributes.relation.table",
    "customer_ai__profile_attributes.profile_id_column",
    "customer_ai__profile_attributes.columns[0].name",
]


def test_no_setting_runs_sql_the_project_did_not_write(dbt_runner):
    """A payload in every identifier setting: `dbt build` is refused before any SQL runs, every setting is named,
    and the canary table is still there."""
    db = dbt_runner.tmp_path / "canary.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create or replace table canary as select 1 as alive")
        con.execute("create or replace table experience_events as select 'e1' as event_id")
    result = dbt_runner(["build"], INJECTED, db_name="canary.duckdb", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Customer AI configuration is invalid" in output, output[-3000:]
    missing = [name for name in NAMED if f"{name}: " not in output]
    assert not missing, f"{missing}\n{output[-4000:]}"
    assert "OK created" not in output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql("select alive from canary").fetchall() == [(1,)]
