"""End to end on real data: the CDNOW sample as flat purchase events through the project's dbt pipeline, with
the as-of date 1997-09-30, must give the parameters of the standalone fit and of the paper."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cdnow import CALIBRATION_END, calibration_days, transactions

from customer_ai import clv


def test_cdnow_through_dbt_matches_the_standalone_fit(dbt_runner):
    frame = transactions()
    events = pa.table(
        {
            "event_id": [f"cdnow-{i}" for i in range(len(frame))],
            "profile_id": [f"cdnow-{c:04d}" for c in frame["customer"]],
            "event_type": ["commerce.purchases"] * len(frame),
            "event_timestamp": (frame["date"] + pd.Timedelta(hours=12)).dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist(),
            "revenue": frame["value"].astype(float),
            "quantity": frame["cds"].astype(float),
        }
    )
    path = dbt_runner.tmp_path / "cdnow.parquet"
    pq.write_table(events, path)
    variables = {
        "customer_ai__events_source": "files",
        "customer_ai__events_format": "flat",
        "customer_ai__events_path": str(path),
        "customer_ai__as_of_date": "1997-09-30",
        "customer_ai__clv_time_unit": "weeks",
        "customer_ai__custom_events": [],
    }
    dbt_runner(
        [
            "build",
            "--select",
            "+fct_customer_lifetime_value",
            "rpt_clv_model_fit",
            "--exclude",
            "test_type:unit",
            "--indirect-selection",
            "cautious",
        ],
        variables,
        db_name="cdnow.duckdb",
    )

    with duckdb.connect(str(dbt_runner.tmp_path / "cdnow.duckdb"), read_only=True) as con:
        fits = {
            row[0]: row[1:]
            for row in con.sql(
                "select model_name, status, r, alpha, a, b, p, q, gamma, log_likelihood, customers, repeat_customers "
                "from rpt_clv_model_fit"
            ).fetchall()
        }
        values = con.sql(
            "select count(*), count(predicted_clv), count(probability_alive) from fct_customer_lifetime_value"
        ).fetchall()[0]

    daily = calibration_days()
    end_day = float((CALIBRATION_END - pd.Timestamp("1997-01-01")).days)
    rfm = clv.rfm_from_transactions(
        daily["customer"].to_numpy(), daily["day"].to_numpy(), daily["value"].to_numpy(), end_day, "weeks"
    )
    standalone = clv.fit_bgnbd(rfm["frequency"], rfm["recency"], rfm["tenure"])
    standalone_gg = clv.fit_gamma_gamma(rfm["frequency"], rfm["monetary"])

    status, r, alpha, a, b, _, _, _, log_likelihood, customers, repeaters = fits["bg_nbd"]
    assert status == "fitted" and customers == 2_357 and repeaters == 946
    np.testing.assert_allclose([r, alpha, a, b], list(standalone.params), rtol=1e-4)
    assert log_likelihood == pytest.approx(standalone.report.log_likelihood, abs=1e-3)
    assert (round(r, 3), round(alpha, 3), round(a, 3), round(b, 3), round(log_likelihood, 1)) == (
        0.243,
        4.414,
        0.793,
        2.426,
        -9582.4,
    )

    status, *_, p, q, gamma, _, _, repeaters = fits["gamma_gamma"]
    assert status == "fitted" and repeaters == 946
    np.testing.assert_allclose([p, q, gamma], [standalone_gg.p, standalone_gg.q, standalone_gg.gamma], rtol=1e-4)
    assert (round(p, 2), round(q, 2), round(gamma, 2)) == (6.25, 3.74, 15.44)

    assert values == (2_357, 2_357, 2_357)

    # a build the retrain policy lets keep the fits copies them and predicts from them with the current histories
    with duckdb.connect(str(dbt_runner.tmp_path / "cdnow.duckdb"), read_only=True) as con:
        first = con.sql("select model_name, model_run_id, fitted_at, r, p from ml_clv_model_fits order by 1").fetchall()
    again = dbt_runner(
        ["run", "--select", "ml_clv_model_fits", "ml_customer_lifetime_values"],
        {**variables, "customer_ai__retrain_policy": "older_than"},
        db_name="cdnow.duckdb",
    )
    assert f"lifetime value: keeping the fits of {first[0][1]} (latest fit is 0.0 days old (< 7))" in again.stdout
    assert "lifetime value: fitting" not in again.stdout
    with duckdb.connect(str(dbt_runner.tmp_path / "cdnow.duckdb"), read_only=True) as con:
        kept = con.sql("select model_name, model_run_id, fitted_at, r, p from ml_clv_model_fits order by 1").fetchall()
        used = con.sql("select distinct model_run_id from ml_customer_lifetime_values").fetchall()
    assert kept == first
    assert used == [(first[0][1],)]
