"""A bad configuration stops the run with a message that names the prediction and the key that is wrong."""

from __future__ import annotations

import copy

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
    "comparison on text": (
        [_prediction(goal__conditions=[{"field": "page_name", "operator": "gt", "value": 3}])],
        "customer_ai__predictions[buy_soon].goal.conditions[0].operator: "
        "'gt' compares numbers but field 'page_name' is text",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_config_names_prediction_and_key(case, dbt_runner):
    predictions, expected = CASES[case]
    result = dbt_runner(
        ["run-operation", "customer_ai_validate_config"],
        variables={"customer_ai__predictions": predictions},
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "Customer AI configuration is invalid" in output, output[-3000:]
    assert expected in output, output[-3000:]


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


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"customer_ai__clv_time_unit": "months"}, "customer_ai__clv_time_unit: unknown unit 'months'"),
        ({"customer_ai__clv_annual_discount_rate": 1.5}, "customer_ai__clv_annual_discount_rate: must be a number"),
        ({"customer_ai__retrain_policy": "weekly"}, "customer_ai__retrain_policy: unknown policy 'weekly'"),
    ],
)
def test_bad_global_setting_names_the_var(variables, expected, dbt_runner):
    result = dbt_runner(["run-operation", "customer_ai_validate_config"], variables=variables, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert expected in output, output[-3000:]
