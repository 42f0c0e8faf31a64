"""Trust: score history, backtests without leakage, calibration, honest quality signals, measured in SQL the same
way scikit-learn measures them.

One demo is written as XDM files. Two builds share a warehouse: the first scores at an early as-of date, the second
at the last day; so the history holds both dates and the first date's outcome window has closed by the second.
A third build sees only the events up to the second build's latest backtest date: the model it trains must be the
backtest's model, number for number (no leakage from after the date).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil

import duckdb
import numpy as np
import pytest
from conftest import run_dbt
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from customer_ai import demo_data

VARIABLES = {
    "customer_ai__min_positive_examples": 150,
    "customer_ai__min_negative_examples": 150,
    "customer_ai__events_source": "files",
}
EARLY_DAYS = 45  # the first build scores this many days before the last event day
SCORES = "+ml_propensity_scores +ml_propensity_backtest_scores"


def query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


@pytest.fixture(scope="module")
def trust(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("trust")
    demo_data.write_xdm_parquet(demo_data.DemoSettings(n_profiles=2_500, seed=5), str(tmp / "events"), workers=2)
    events = str(tmp / "events" / "*.parquet")
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        # the demo's own last day (its hostile rows include timestamps far in the future)
        last_day = con.sql(
            "select max(day) from (select cast(try_cast(timestamp as timestamptz) as date) as day "
            f"from read_parquet('{events}')) where day <= current_date"
        ).fetchall()[0][0]
    early, late = last_day - dt.timedelta(days=EARLY_DAYS), last_day
    variables = {**VARIABLES, "customer_ai__events_path": events, "customer_ai__report_dir": str(tmp / "report")}
    run_dbt(["run"], tmp, {**variables, "customer_ai__as_of_date": early.isoformat()}, db_name="trust.duckdb")
    run_dbt(
        ["build", "--exclude", "test_type:unit"],
        tmp,
        {**variables, "customer_ai__as_of_date": late.isoformat()},
        db_name="trust.duckdb",
    )
    db = tmp / "trust.duckdb"

    # the same events, cut after the latest backtest date, scored at that date
    backtest_day = query(db, "select max(backtest_date) from rpt_backtest")[0][0]
    (tmp / "cut").mkdir()
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute(
            f"copy (select * from read_parquet('{events}') where cast(try_cast(timestamp as timestamptz) as date) "
            f"<= date '{backtest_day}' or try_cast(timestamp as timestamptz) is null) to '{tmp / 'cut' / 'e.parquet'}'"
        )
    cut_variables = {
        **VARIABLES,
        "customer_ai__events_path": str(tmp / "cut" / "e.parquet"),
        "customer_ai__as_of_date": backtest_day.isoformat(),
        "customer_ai__backtest_dates": 0,
    }
    run_dbt(["run", "-s", SCORES], tmp, cut_variables, db_name="cut.duckdb")
    return {"tmp": tmp, "db": db, "cut": tmp / "cut.duckdb", "early": early, "late": late, "day": backtest_day}


def test_backtests_cover_three_dates_and_the_high_bucket_beats_the_low(trust):
    rows = query(trust["db"], "select prediction_name, count(*), min(profiles) from rpt_backtest group by 1")
    assert {name for name, _, _ in rows} == {"purchase_next_30d", "churn_next_30d"}
    assert all(dates == 3 and profiles > 500 for _, dates, profiles in rows), rows
    # on this small demo a date's high bucket can be empty (churn): the highest bucket with profiles is compared
    rates = query(
        trust["db"],
        "select prediction_name, backtest_date, "
        "coalesce(max(case when bucket = 'high' then actual_rate end), max(case when bucket = 'medium' then "
        "actual_rate end)), max(case when bucket = 'low' then actual_rate end) "
        "from rpt_backtest_by_bucket group by 1, 2",
    )
    assert len(rates) == 6
    for name, day, top, low in rates:
        assert top > 3 * low, (name, day, top, low)


def test_a_backtest_model_is_the_model_trained_without_the_later_events(trust):
    """No leakage: delete every event after the backtest date, build at that date, get the same model."""
    day = trust["day"]
    for name in ("purchase_next_30d", "churn_next_30d"):
        columns = "training_examples, training_positives, holdout_rows, holdout_positives, auc, feature_names"
        backtest = query(
            trust["db"],
            f"select {columns} from ml_propensity_backtests_trained "
            f"where prediction_name = '{name}' and backtest_date = date '{day}'",
        )
        live = query(
            trust["cut"], f"select {columns} from ml_propensity_models_trained where prediction_name = '{name}'"
        )
        assert backtest == live, name
        backtest_scores = query(
            trust["db"],
            f"select profile_id, probability from ml_propensity_backtest_scores "
            f"where prediction_name = '{name}' and backtest_date = date '{day}' order by 1",
        )
        live_scores = query(
            trust["cut"],
            f"select profile_id, probability from ml_propensity_scores where prediction_name = '{name}' order by 1",
        )
        assert len(backtest_scores) > 500
        assert backtest_scores == live_scores, name


def test_backtest_measures_in_sql_equal_scikit_learn(trust):
    measured = query(
        trust["db"],
        "select prediction_name, backtest_date, auc, log_loss, brier, mean_predicted_probability, actual_rate "
        "from rpt_backtest",
    )
    for name, day, auc, loss, brier, mean_p, rate in measured:
        rows = query(
            trust["db"],
            f"select label, probability from ml_propensity_backtest_scores "
            f"where prediction_name = '{name}' and backtest_date = date '{day}'",
        )
        y = np.array([r[0] for r in rows])
        p = np.array([r[1] for r in rows])
        assert math.isclose(auc, roc_auc_score(y, p), rel_tol=1e-12)
        assert math.isclose(loss, log_loss(y, np.clip(p, 1e-9, 1 - 1e-9)), rel_tol=1e-9)
        assert math.isclose(brier, brier_score_loss(y, p), rel_tol=1e-9)
        assert math.isclose(mean_p, p.mean(), rel_tol=1e-9) and math.isclose(rate, y.mean(), rel_tol=1e-12)


def test_history_keeps_both_scoring_dates_and_measures_the_closed_one(trust):
    db = trust["db"]
    dates = dict(query(db, "select as_of_date, count(*) from fct_propensity_score_history group by 1"))
    assert set(dates) == {trust["early"], trust["late"]}
    assert dates[trust["late"]] == query(db, "select count(*) from fct_propensity_scores")[0][0]
    clv_dates = {r[0] for r in query(db, "select distinct as_of_date from fct_customer_lifetime_value_history")}
    assert clv_dates == {trust["early"], trust["late"]}

    outcomes = query(
        db,
        "select prediction_name, as_of_date, profiles, auc, high_bucket_actual_rate, "
        "low_bucket_actual_rate from rpt_score_history_outcomes",
    )
    assert {(name, day) for name, day, *_ in outcomes} == {
        ("purchase_next_30d", trust["early"]),
        ("churn_next_30d", trust["early"]),
    }  # the late date's window is still open
    for name, day, profiles, auc, high, low in outcomes:
        rows = query(
            db,
            "select l.label, h.probability from fct_propensity_score_history h "
            "join int_prediction_snapshots_labeled l on l.prediction_name = h.prediction_name "
            "and l.profile_id = h.profile_id and l.snapshot_date = h.as_of_date "
            f"where h.prediction_name = '{name}' and h.as_of_date = date '{day}'",
        )
        assert profiles == len(rows) > 300
        assert math.isclose(auc, roc_auc_score([r[0] for r in rows], [r[1] for r in rows]), rel_tol=1e-12)
        assert (high if high is not None else 1.0) > low


def test_calibration_bins_hold_the_holdout_and_give_the_calibration_error(trust):
    db = trust["db"]
    for name, rows, ece in query(
        db, "select prediction_name, holdout_rows, expected_calibration_error from rpt_model_evaluation where is_latest"
    ):
        bins = query(
            db,
            "select profiles, mean_predicted_probability, observed_rate from rpt_calibration "
            f"where prediction_name = '{name}' and source = 'holdout'",
        )
        assert 2 <= len(bins) <= 10 and sum(b[0] for b in bins) == rows
        assert math.isclose(ece, sum(n * abs(p - o) for n, p, o in bins) / rows, rel_tol=1e-9)
    assert query(db, "select count(distinct backtest_date) from rpt_calibration where source = 'backtest'") == [(3,)]


def test_auc_interval_follows_hanley_and_mcneil(trust):
    for auc, positives, negatives, low, high in query(
        trust["db"],
        "select auc, holdout_positives, holdout_negatives, auc_lower_95, auc_upper_95 from rpt_model_evaluation",
    ):
        q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
        se = math.sqrt(
            (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc))
            / (positives * negatives)
        )
        assert math.isclose(low, max(0.0, auc - 1.96 * se), rel_tol=1e-12)
        assert math.isclose(high, min(1.0, auc + 1.96 * se), rel_tol=1e-12)
        assert low < auc < high


def test_purchase_probability_ranks_one_time_buyers_where_probability_alive_cannot(trust):
    """P(alive) is 1 for every one-time buyer; P(purchase in 90 days) is not, and predicts who buys next."""
    db = trust["db"]
    one_time = query(
        db,
        "select min(probability_alive), max(probability_alive), min(probability_purchase_next_90d), "
        "max(probability_purchase_next_90d) from fct_customer_lifetime_value where frequency = 0",
    )[0]
    assert one_time[0] == one_time[1] == 1.0
    assert one_time[2] < one_time[3] < 1.0
    rows = query(
        db,
        "select h.probability_alive, h.probability_purchase_next_90d, "
        "exists (select 1 from stg_experience_events e where e.profile_id = h.profile_id "
        "and e.event_type = 'commerce.purchases' and e.event_date > h.as_of_date) as bought "
        f"from fct_customer_lifetime_value_history h where h.as_of_date = date '{trust['early']}'",
    )
    bought = [r[2] for r in rows]
    alive_auc = roc_auc_score(bought, [r[0] for r in rows])
    purchase_auc = roc_auc_score(bought, [r[1] for r in rows])
    assert purchase_auc > 0.6 and purchase_auc > alive_auc + 0.05, (purchase_auc, alive_auc)


def test_the_report_numbers_are_the_tables(trust):
    page = (trust["tmp"] / "report" / "ci" / "index.html").read_text()
    start = page.index('<script type="application/json" id="report-data">') + len(
        '<script type="application/json" id="report-data">'
    )
    data = json.loads(page[start : page.index("</script>", start)])
    db = trust["db"]
    for name, auc, quality in query(
        db, "select prediction_name, auc, quality from rpt_model_evaluation where is_latest"
    ):
        shown = data["predictions"][name]["evaluation"][0]
        assert shown["auc"] == auc and shown["quality"] == quality
        backtest = {(r["backtest_date"], r["auc"]) for r in data["predictions"][name]["backtest"]}
        assert backtest == {
            (d.isoformat(), a)
            for d, a in query(db, f"select backtest_date, auc from rpt_backtest where prediction_name = '{name}'")
        }
    assert {(s["segment_id"], s["profiles"]) for s in data["segments"]} == set(
        query(db, "select segment_id, profiles from dim_segments")
    )
    health = data["data_health"]
    assert health["staged_events"] == query(db, "select count(*) from stg_experience_events")[0][0]
    assert health["rejected_events"] == query(db, "select count(*) from stg_experience_events_rejected")[0][0]
    assert health["as_of"]["as_of_date"] == trust["late"].isoformat()


def test_the_report_renders_every_chart_in_a_browser_without_errors(trust):
    """Headless Chromium (the Debian package, `make setup-browser`) opens the page with the network cut off: every
    chart draws marks, the page logs no error and asks for nothing outside the file."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Chromium is not installed: run `make setup-browser` (make test does)")
    from playwright.sync_api import sync_playwright

    page_path = trust["tmp"] / "report" / "ci" / "index.html"
    problems, outside = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: problems.append(str(error)))

        def only_the_file(route):
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_the_file)
        page.goto(page_path.as_uri())
        page.wait_for_function("document.querySelectorAll('div.chart .main-svg').length > 0")
        marks = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('div.chart')].map(chart => [
                chart.dataset.chart,
                [...chart.querySelectorAll('.main-svg g.trace path')]
                    .filter(p => (p.getAttribute('d') || '').length > 2).length]))"""
        )
        page.screenshot(path=str(trust["tmp"] / "report.png"), full_page=True)
        browser.close()
    data = json.loads(
        page_path.read_text().split('<script type="application/json" id="report-data">')[1].split("</script>")[0]
    )
    assert sorted(marks) == sorted(data["charts"]) and len(marks) >= 12
    assert all(count > 0 for count in marks.values()), marks
    assert problems == [] and outside == []
    assert (trust["tmp"] / "report.png").stat().st_size > 100_000


def test_long_steps_report_progress_in_the_dbt_log(trust):
    log = (trust["tmp"] / "logs" / "dbt.log").read_text()
    for step in (
        "scoring purchase_next_30d: batch 1/",
        "reason codes churn_next_30d: batch 1/",
        "lifetime value: batch",
    ):
        assert f"customer_ai: {step}" in log, step
    assert "customer_ai: backtest 6/6: churn_next_30d backtest at" in log
    assert "customer_ai: lifetime value: bg_nbd fitted in" in log
