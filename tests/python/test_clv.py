"""BG/NBD and Gamma-Gamma against the published CDNOW results, predictions, and the guards."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from cdnow import CALIBRATION_END, calibration_days
from conftest import clv_settings

from customer_ai import clv, clv_steps

END_DAY = float((CALIBRATION_END - pd.Timestamp("1997-01-01")).days)


@pytest.fixture(scope="module")
def rfm():
    daily = calibration_days()
    return clv.rfm_from_transactions(
        daily["customer"].to_numpy(), daily["day"].to_numpy(), daily["value"].to_numpy(), END_DAY, "weeks"
    )


@pytest.fixture(scope="module")
def bgnbd(rfm):
    return clv.fit_bgnbd(rfm["frequency"], rfm["recency"], rfm["tenure"])


def test_cdnow_summary_matches_the_paper(rfm):
    assert len(rfm["frequency"]) == 2_357
    assert int((rfm["frequency"] > 0).sum()) == 946
    assert rfm["tenure"].max() == pytest.approx(38.86, abs=0.01)


def test_bgnbd_reproduces_fader_hardie_lee_2005(bgnbd):
    r = bgnbd.report
    assert r.converged
    assert round(bgnbd.r, 3) == 0.243
    assert round(bgnbd.alpha, 3) == 4.414
    assert round(bgnbd.a, 3) == 0.793
    assert round(bgnbd.b, 3) == 2.426
    assert round(r.log_likelihood, 1) == -9582.4


def test_gamma_gamma_reproduces_the_published_fit(rfm):
    model = clv.fit_gamma_gamma(rfm["frequency"], rfm["monetary"])
    assert model.report.customers == 946
    assert model.report.converged
    assert (round(model.p, 2), round(model.q, 2), round(model.gamma, 2)) == (6.25, 3.74, 15.44)


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 30.0, 0.01), (1e-5, 1e5, 1e-5, 1e5)])
def test_the_fits_evaluate_the_published_likelihood_terms(rfm, params):
    """The fits evaluate the likelihood on each column's distinct values, gathered per customer (their optimizers
    call it hundreds of times); every term must be the published formula's, at the paper's optimum and far from
    it, for customers with and without repeat purchases."""
    x, t_x, T = (rfm[k] for k in ("frequency", "recency", "tenure"))
    expected = clv.bgnbd_log_likelihood_terms(params, x, t_x, T)
    np.testing.assert_allclose(clv._BgnbdTerms(x, t_x, T)(params), expected, rtol=1e-12, atol=1e-9)
    buyers = (x > 0) & (rfm["monetary"] > 0)
    p_q_gamma = params[1:]
    expected = clv.gamma_gamma_log_likelihood_terms(p_q_gamma, x[buyers], rfm["monetary"][buyers])
    found = clv._GammaGammaTerms(x[buyers], rfm["monetary"][buyers])(p_q_gamma)
    np.testing.assert_allclose(found, expected, rtol=1e-12, atol=1e-9)


def test_the_fit_converges_at_any_number_of_customers(rfm, bgnbd):
    """CDNOW repeated 250 times (589,250 customers, as many as a million-profile build has purchasers): the same
    maximum, and both optimizers converge. Summed over that many customers the likelihood (about -2.4e6) carries
    rounding noise above the optimizers' absolute tolerances; they must work per customer."""
    copies = 250
    x, t_x, T = (np.tile(rfm[k], copies) for k in ("frequency", "recency", "tenure"))
    model = clv.fit_bgnbd(x, t_x, T)
    assert model.report.converged, model.report.message
    assert model.report.customers == 2_357 * copies
    for name in ("r", "alpha", "a", "b"):
        assert model.report.params[name] == pytest.approx(bgnbd.report.params[name], rel=1e-4)
    assert model.report.log_likelihood == pytest.approx(copies * bgnbd.report.log_likelihood, rel=1e-9)
    spend = clv.fit_gamma_gamma(np.tile(rfm["frequency"], copies), np.tile(rfm["monetary"], copies))
    assert spend.report.converged, spend.report.message
    assert (round(spend.p, 2), round(spend.q, 2), round(spend.gamma, 2)) == (6.25, 3.74, 15.44)


def _simulate_bgnbd(n: int, r: float, alpha: float, a: float, b: float, seed: int = 7):
    """(x, t_x, T) in weeks, drawn from the BG/NBD process itself, with whole-day times as the warehouse has."""
    rng = np.random.default_rng(seed)
    rate, dropout = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    tenure = rng.integers(7, 395, n) / 7.0
    clock, x, t_x, active = np.zeros(n), np.zeros(n), np.zeros(n), np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        clock[idx] += rng.exponential(1 / rate[idx])
        ended = clock[idx] > tenure[idx]
        active[idx[ended]] = False
        bought = idx[~ended]
        x[bought] += 1
        t_x[bought] = np.floor(clock[bought] * 7) / 7
        active[bought[rng.random(len(bought)) < dropout[bought]]] = False
    return x, t_x, tenure


def test_a_maximum_at_infinity_ends_in_bounded_time():
    """Customers who hardly differ in drop-out probability (a, b large; the demo at a million profiles is such a
    population) put the maximum at infinity along a ridge in (a, b). The fit converges, its polish stays bounded
    instead of walking up the ridge for thousands of iterations, and what the data does identify is recovered:
    the mean purchase rate r / alpha and the mean drop-out probability a / (a + b)."""
    r, alpha, a, b = 2.5, 85.0, 36.0, 441.0
    model = clv.fit_bgnbd(*_simulate_bgnbd(300_000, r, alpha, a, b))
    assert model.report.converged, model.report.message
    assert "Maximum number of iterations" not in model.report.message
    assert model.report.iterations < 1_000
    assert model.r / model.alpha == pytest.approx(r / alpha, rel=0.03)
    assert model.a / (model.a + model.b) == pytest.approx(a / (a + b), rel=0.08)


def test_conditional_expectation_of_the_papers_example_customer(bgnbd):
    """Fader, Hardie and Lee (2005), section 5: x = 2, t_x = 30.43, T = 38.86 -> 1.226 purchases in 39 weeks."""
    assert bgnbd.expected_purchases(39, [2], [30.43], [38.86])[0] == pytest.approx(1.226, abs=5e-4)


def test_predictions_behave(bgnbd, rfm):
    x, t_x, T = rfm["frequency"], rfm["recency"], rfm["tenure"]
    alive = bgnbd.probability_alive(x, t_x, T)
    assert np.all((alive > 0) & (alive <= 1))
    assert np.all(alive[x == 0] == 1.0)
    # a long silence since the last purchase lowers P(alive)
    recent, silent = bgnbd.probability_alive([5, 5], [38.0, 5.0], [38.86, 38.86])
    assert recent > 0.85 and silent < 0.5 * recent
    e13 = bgnbd.expected_purchases(13, x, t_x, T)
    e52 = bgnbd.expected_purchases(52, x, t_x, T)
    assert np.all(e52 >= e13) and np.all(e13 >= 0) and np.isfinite(e52).all()
    assert bgnbd.expected_purchases_new_customer(39) > 0


def test_clv_is_discounted_and_grows_with_the_horizon(bgnbd, rfm):
    x, t_x, T = rfm["frequency"], rfm["recency"], rfm["tenure"]
    value = np.full(len(x), 35.0)
    one_year = clv.customer_lifetime_value(bgnbd, value, x, t_x, T, 365, 0.10, "weeks")
    two_years = clv.customer_lifetime_value(bgnbd, value, x, t_x, T, 730, 0.10, "weeks")
    undiscounted = clv.customer_lifetime_value(bgnbd, value, x, t_x, T, 365, 0.0, "weeks")
    assert np.all(two_years >= one_year) and np.all(undiscounted >= one_year)
    np.testing.assert_allclose(undiscounted, 35.0 * bgnbd.expected_purchases(365 / 7, x, t_x, T), rtol=1e-9)


def test_units_only_rescale_alpha(rfm):
    """Fitting in days instead of weeks gives the same model: alpha scales by 7, the rest is unchanged."""
    daily = calibration_days()
    days = clv.rfm_from_transactions(
        daily["customer"].to_numpy(), daily["day"].to_numpy(), daily["value"].to_numpy(), END_DAY, "days"
    )
    in_days = clv.fit_bgnbd(days["frequency"], days["recency"], days["tenure"])
    assert in_days.alpha / 7 == pytest.approx(4.414, abs=2e-3)
    assert in_days.r == pytest.approx(0.243, abs=1e-3)


def _summary(frequency, recency_days, tenure_days, repeat_value, average):
    n = len(frequency)
    return pd.DataFrame(
        {
            "profile_id": [f"p{i}" for i in range(n)],
            "frequency": frequency,
            "recency_days": recency_days,
            "tenure_days": tenure_days,
            "repeat_order_value": repeat_value,
            "average_order_value": average,
        }
    )


SETTINGS = clv_settings(min_customers=5, min_repeat_buyers=5)
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _fit(summary):
    bg, gg, fits = clv_steps.fit_models(summary, SETTINGS, dt.date(2026, 1, 1), "clv__test", NOW)
    values = clv_steps.predict_values(summary, bg, gg, SETTINGS, "clv__test")
    return fits.to_pylist(), values.to_pandas()


@pytest.mark.parametrize("case", ["single customer", "nobody repeats", "too few repeat buyers"])
def test_unfittable_data_gives_a_status_not_a_crash(case):
    if case == "single customer":
        summary = _summary([3], [40], [90], [20.0], [20.0])
    elif case == "nobody repeats":
        summary = _summary([0] * 50, [0] * 50, list(range(10, 60)), [None] * 50, [25.0] * 50)
    else:
        summary = _summary(
            [1, 1, 0, 0, 0, 0, 0, 0], [5, 9, 0, 0, 0, 0, 0, 0], [50] * 8, [10.0, 12.0] + [None] * 6, [10.0] * 8
        )
    fits, values = _fit(summary)
    by_model = {f["model_name"]: f for f in fits}
    assert by_model["bg_nbd"]["status"] == "not_fitted"
    assert "BG/NBD not fitted" in by_model["bg_nbd"]["status_message"]
    assert by_model["gamma_gamma"]["status"] == "not_fitted"
    assert len(values) == len(summary)
    assert values["predicted_clv"].isna().all()  # null: no model, nothing invented
    assert (values["expected_order_value"].dropna() > 0).all()


def test_zero_and_negative_order_values_are_left_out_of_gamma_gamma():
    rng = np.random.default_rng(3)
    n = 400
    frequency = rng.poisson(2, n)
    repeat_value = np.where(frequency > 0, rng.gamma(6, 30 / 6, n), np.nan)
    repeat_value[:10] = 0.0
    repeat_value[10:15] = -5.0
    frequency[:15] = 2
    recency = rng.integers(0, 200, n)
    summary = _summary(
        frequency,
        recency,
        recency + rng.integers(1, 100, n),
        repeat_value,
        np.abs(np.nan_to_num(repeat_value, nan=30.0)) + 1,
    )
    fits, values = _fit(summary)
    gg = next(f for f in fits if f["model_name"] == "gamma_gamma")
    assert gg["status"] == "fitted"
    assert gg["excluded_customers"] == 15
    assert "15 repeat buyers with a zero or negative order value left out" in gg["status_message"]
    assert np.isfinite(values["expected_order_value"]).all()
    assert np.isfinite(values["predicted_clv"]).all()
    assert (values["predicted_clv"] >= 0).all()


def test_the_fits_are_kept_while_the_retrain_policy_allows_and_nothing_made_them_stale(rfm):
    summary = pd.DataFrame(
        {
            "frequency": rfm["frequency"],
            "recency_days": rfm["recency"] * 7,
            "tenure_days": rfm["tenure"] * 7,
            "repeat_order_value": np.where(rfm["frequency"] > 0, rfm["monetary"], np.nan),
        }
    )
    settings = clv_settings()
    _, _, stored = clv_steps.fit_models(summary, settings, dt.date(1997, 9, 30), "clv__stored", NOW)
    assert {row["status"] for row in stored.to_pylist()} <= set(clv_steps.USABLE_STATUSES)

    def kept(table=stored, policy="older_than", days_later=3.0, **overrides):
        now = NOW + dt.timedelta(days=days_later)
        return clv_steps.kept_fits(lambda: table, clv_settings(**overrides), policy, 7, now)

    fits, why = kept()
    assert fits is not None and fits.equals(stored), why
    assert why == "latest fit is 3.0 days old (< 7)"
    assert kept(policy="never")[0] is not None
    # the policy says when to fit again
    assert kept(days_later=7.0) == (None, "latest fit is 7.0 days old (>= 7)")
    assert kept(policy="always") == (None, "retrain policy 'always'")

    def unread():
        raise AssertionError("the stored fits were read under the policy 'always'")

    assert clv_steps.kept_fits(unread, settings, "always", 7, NOW) == (None, "retrain policy 'always'")
    # so does anything that makes the stored fits stale or unusable, whatever the policy
    assert kept(table=None, policy="never") == (None, "no fits yet")
    assert kept(table=stored.drop_columns(["fit_fingerprint"]), policy="never") == (None, "no fits yet")
    assert kept(time_unit="days", policy="never") == (None, "the fitting settings or code changed")
    assert kept(min_repeat_buyers=settings.min_repeat_buyers + 1, policy="never")[0] is None
    assert kept(horizon_days=settings.horizon_days * 2, annual_discount_rate=0.2)[0] is not None  # predictions only
    statuses = pa.array(["fitted", clv_steps.STATUS_DEGENERATE])
    degenerate = stored.set_column(stored.schema.get_field_index("status"), "status", statuses)
    assert kept(table=degenerate, policy="never") == (None, "the latest fit of gamma_gamma is not usable")


def test_predictions_from_stored_parameters_equal_the_fitted_models(rfm):
    summary = pd.DataFrame(
        {
            "profile_id": rfm["customer"].astype(str),
            "frequency": rfm["frequency"],
            "recency_days": rfm["recency"] * 7,
            "tenure_days": rfm["tenure"] * 7,
            "repeat_order_value": np.where(rfm["frequency"] > 0, rfm["monetary"], np.nan),
            "average_order_value": rfm["total"] / (rfm["frequency"] + 1),
        }
    )
    bg, gg, fits = clv_steps.fit_models(summary, clv_settings(), None, "r", NOW)
    direct = clv_steps.predict_values(summary, bg, gg, clv_settings(), "r").to_pandas()
    rebuilt = clv_steps.models_from_fits(fits.to_pandas())
    again = clv_steps.predict_values(summary, *rebuilt, clv_settings(), "r").to_pandas()
    pd.testing.assert_frame_equal(direct, again)
    assert direct["predicted_clv"].notna().all()


def test_the_fits_do_not_depend_on_the_order_of_the_customers(rfm):
    """The warehouse hands the purchase histories over in no defined order (threads, files): shuffled input must
    give bit-identical parameters and predictions, not parameters equal to 1e-6."""
    summary = pd.DataFrame(
        {
            "profile_id": rfm["customer"].astype(str),
            "frequency": rfm["frequency"],
            "recency_days": rfm["recency"] * 7,
            "tenure_days": rfm["tenure"] * 7,
            "repeat_order_value": np.where(rfm["frequency"] > 0, rfm["monetary"], np.nan),
            "average_order_value": rfm["total"] / (rfm["frequency"] + 1),
        }
    )
    settings = clv_settings()
    runs = []
    for seed in (1, 2, 3):
        shuffled = summary.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        bg, gg, fits = clv_steps.fit_models(shuffled, settings, None, "r", NOW)
        values = clv_steps.predict_values(shuffled, bg, gg, settings, "r").to_pandas()
        runs.append((fits.to_pandas()[["r", "alpha", "a", "b", "p", "q", "gamma"]], values.set_index("profile_id")))
    for fits, values in runs[1:]:
        pd.testing.assert_frame_equal(fits, runs[0][0], check_exact=True)
        pd.testing.assert_frame_equal(values.loc[runs[0][1].index], runs[0][1], check_exact=True)


@pytest.mark.parametrize(
    "history",
    [(0, 0.0, 30.0, 10.0), (2, 20.0, 38.0, 13.0), (5, 10.0, 39.0, 52.0)],
)
def test_probability_of_a_purchase_equals_the_model_integrated_numerically(history):
    """P(at least one purchase in (T, T + t] | x, t_x, T) against a direct integration of BG/NBD over the prior of
    the purchase rate and the drop-out probability, weighted by the likelihood of the customer's history
    (Gauss-Legendre on a 600 x 600 grid; the substitutions rate = v**10 and p = s**4 smooth the priors'
    singularities at 0; rates above 3 a week carry no weight after T >= 30 weeks without purchases)."""
    from scipy import stats

    x, t_x, T, t = history
    model = clv.BetaGeoModel(0.243, 4.414, 0.793, 2.426)
    nodes, weights = np.polynomial.legendre.leggauss(600)
    v_max = 3.0**0.1
    v, s = (nodes + 1) / 2 * v_max, (nodes + 1) / 2
    rate = (v**10)[:, None]
    p = (s**4)[None, :]
    jacobian = (10 * v**9 * weights * v_max / 2)[:, None] * (4 * s**3 * weights / 2)[None, :]
    prior = stats.gamma(a=model.r, scale=1 / model.alpha).pdf(rate) * stats.beta(model.a, model.b).pdf(p) * jacobian
    alive = (1 - p) ** x * rate**x * np.exp(-rate * T)  # still active at T
    gone = p * (1 - p) ** (x - 1) * rate**x * np.exp(-rate * t_x) if x > 0 else 0.0 * rate  # left after the last
    none = np.sum(prior * (gone + alive * np.exp(-rate * t)))
    expected = 1 - none / np.sum(prior * (alive + gone))
    got = model.probability_of_purchase(t, np.array([x]), np.array([t_x]), np.array([T]))[0]
    assert got == pytest.approx(expected, rel=1e-6)


def test_purchase_probability_is_below_probability_alive_and_grows_with_the_window(bgnbd, rfm):
    args = (rfm["frequency"], rfm["recency"], rfm["tenure"])
    alive = bgnbd.probability_alive(*args)
    short, long = bgnbd.probability_of_purchase(4, *args), bgnbd.probability_of_purchase(52, *args)
    assert (short <= long).all() and (long <= alive).all() and (short > 0).all()
    one_time = rfm["frequency"] == 0
    assert (alive[one_time] == 1).all()
    assert long[one_time].std() > 0.01  # P(alive) cannot rank one-time buyers; this can


def test_issue_example_parameters_are_reported_at_the_limit_and_far_means_as_degenerate():
    status, why = clv_steps.fit_quality(
        "BG/NBD", {"r": 0.5, "alpha": 4.0, "a": 2.2e7, "b": 1.2e8}, 0.81, 0.8, "mean number of repeat purchases"
    )
    assert status == "fitted_at_limit" and "a = 2.2e+07, b = 1.2e+08" in why
    status, why = clv_steps.fit_quality(
        "Gamma-Gamma", {"p": 1.0, "q": 1.1, "gamma": 20.0}, 200.0, 90.0, "mean order value"
    )
    assert status == "degenerate" and "2.22 times the observed 90" in why
    assert clv_steps.fit_quality("Gamma-Gamma", {"p": 6.0, "q": 3.7, "gamma": 15.0}, 34.0, 35.0, "x")[0] == ("fitted")


def test_a_gamma_gamma_fit_implying_a_far_higher_order_value_is_degenerate_and_not_used():
    """Order values so spread across customers that the fitted population mean is five times the observed one."""
    rng = np.random.default_rng(1)
    n = 400
    frequency = rng.integers(1, 4, n)
    repeat_value = rng.lognormal(3, 1.6, n)
    recency = rng.integers(1, 200, n)
    summary = _summary(frequency, recency, recency + 30, repeat_value, repeat_value)
    fits, values = _fit(summary)
    gg = next(f for f in fits if f["model_name"] == "gamma_gamma")
    assert gg["status"] == "degenerate", gg["status_message"]
    assert "implied mean order value" in gg["status_message"] and "times the observed" in gg["status_message"]
    assert (values["order_value_source"] == "own_average").all()
    assert np.allclose(values["expected_order_value"], summary["average_order_value"])
    assert values["expected_order_value"].notna().all()
