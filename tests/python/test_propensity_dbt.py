"""The propensity step through dbt on a small demo: scores, reason codes, reports, determinism across builds,
the insufficient-data guard, and refusal of a stored model whose features changed."""

from __future__ import annotations

import duckdb
import pytest
from conftest import run_dbt

SMALL = {
    "customer_ai__demo_profiles": 2_500,
    "customer_ai__min_positive_examples": 150,
    "customer_ai__min_negative_examples": 150,
}
MARTS = ["build", "--exclude", "test_type:unit"]  # every model and data test; unit tests run in dbt-ci


def query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("propensity")
    first = run_dbt(MARTS, tmp, SMALL, db_name="demo.duckdb")
    db = tmp / "demo.duckdb"
    scores_first = query(db, "select prediction_name, profile_id, probability from fct_propensity_scores order by 1, 2")
    reasons_first = query(
        db,
        "select prediction_name, profile_id, factor_rank, factor_code, contribution "
        "from fct_reason_codes order by 1, 2, 3",
    )
    second = run_dbt(MARTS, tmp, SMALL, db_name="demo.duckdb")
    return {
        "tmp": tmp,
        "db": db,
        "first": first,
        "second": second,
        "scores_first": scores_first,
        "reasons_first": reasons_first,
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
