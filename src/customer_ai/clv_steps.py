"""Lifetime value in the warehouse: what the dbt Python models ml_clv_model_fits and ml_customer_lifetime_values
call. Fits both models on the per-profile purchase summary and turns them into per-profile predictions.

Every failure mode ends as a status and a message in the fits table, never as a crash or a NaN: too few
customers or repeat buyers, zero or negative order values, a single customer, nobody with a second purchase.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from customer_ai import clv
from customer_ai.retrain import fingerprint, should_retrain

FITS_SCHEMA = pa.schema(
    [
        ("model_run_id", pa.string()),
        ("model_name", pa.string()),
        ("status", pa.string()),
        ("status_message", pa.string()),
        ("time_unit", pa.string()),
        ("as_of_date", pa.date32()),
        ("fitted_at", pa.timestamp("us")),
        ("customers", pa.int64()),
        ("repeat_customers", pa.int64()),
        ("excluded_customers", pa.int64()),
        ("r", pa.float64()),
        ("alpha", pa.float64()),
        ("a", pa.float64()),
        ("b", pa.float64()),
        ("p", pa.float64()),
        ("q", pa.float64()),
        ("gamma", pa.float64()),
        ("log_likelihood", pa.float64()),
        ("converged", pa.bool_()),
        ("iterations", pa.int64()),
        ("fit_seconds", pa.float64()),
        ("optimizer_message", pa.string()),
        ("parameters", pa.string()),
        ("fit_fingerprint", pa.string()),
    ]
)

VALUES_SCHEMA = pa.schema(
    [
        ("profile_id", pa.string()),
        ("expected_purchases_30d", pa.float64()),
        ("expected_purchases_90d", pa.float64()),
        ("expected_purchases_horizon", pa.float64()),
        ("probability_alive", pa.float64()),
        ("probability_purchase_next_90d", pa.float64()),
        ("expected_order_value", pa.float64()),
        ("predicted_clv", pa.float64()),
        ("order_value_source", pa.string()),
        ("model_run_id", pa.string()),
    ]
)

STATUS_FITTED = "fitted"
STATUS_NOT_FITTED = "not_fitted"
# Fitted, but the estimate does not describe the data: the model's implied mean (repeat purchases, order value) is
# far from the observed one. Its predictions are not used (null purchase predictions and CLV; the profile's own
# average order value).
STATUS_DEGENERATE = "degenerate"
# Fitted with parameters at the edge of their range: the likelihood keeps rising towards infinity along a ridge (for
# BG/NBD a and b together, when customers hardly differ in their drop-out probability). The implied means still
# match the data and the identified quantities (a / (a + b), r / alpha) are sound, so predictions are kept; the
# status says that the individual parameters mean nothing.
STATUS_AT_LIMIT = "fitted_at_limit"
USABLE_STATUSES = (STATUS_FITTED, STATUS_AT_LIMIT)

# Parameters beyond these are at the edge of what the optimizer can reach (log-parameters bounded at -12): on
# CDNOW and the 20,000-profile demo every parameter lies between 0.2 and 100.
EXTREME_PARAMETER_HIGH = 1e5
EXTREME_PARAMETER_LOW = 1e-4
# An implied mean this many times above (or below) the observed one is not a fit of these data.
IMPLIED_MEAN_TOLERANCE = 2.0


def fit_quality(
    model_label: str, params: dict[str, float], implied: float, observed: float, what: str
) -> tuple[str, str | None]:
    """(status, why) of a converged fit: fitted (why None), fitted_at_limit or degenerate, with the reason."""
    if observed > 0 and not math.isfinite(implied):
        return STATUS_DEGENERATE, f"{model_label} is degenerate: its implied {what} is infinite"
    if observed > 0:
        ratio = implied / observed
        if not 1 / IMPLIED_MEAN_TOLERANCE <= ratio <= IMPLIED_MEAN_TOLERANCE:
            return STATUS_DEGENERATE, (
                f"{model_label} is degenerate: its implied {what} {implied:,.4g} is {ratio:.2f} times the observed "
                f"{observed:,.4g} (outside 1/{IMPLIED_MEAN_TOLERANCE:g} to {IMPLIED_MEAN_TOLERANCE:g})"
            )
    extreme = [
        f"{name} = {value:.3g}"
        for name, value in params.items()
        if not EXTREME_PARAMETER_LOW <= value <= EXTREME_PARAMETER_HIGH
    ]
    if extreme:
        return STATUS_AT_LIMIT, (
            f"{model_label} parameters at the edge of their range ({', '.join(extreme)}; between "
            f"{EXTREME_PARAMETER_LOW:g} and {EXTREME_PARAMETER_HIGH:g} expected): the data do not identify them one "
            f"by one, only their combination; the implied {what} {implied:,.4g} matches the observed {observed:,.4g}"
        )
    return STATUS_FITTED, None


def bgnbd_implied_repeat_purchases(model: clv.BetaGeoModel, tenure: np.ndarray, weights: np.ndarray) -> float:
    """Mean repeat purchases the fitted BG/NBD implies for customers of these tenures (time unit)."""
    values, inverse = np.unique(np.round(tenure, 6), return_inverse=True)
    expected = np.array([model.expected_purchases_new_customer(t) for t in values])[inverse]
    return float(np.average(expected, weights=weights))


@dataclass(frozen=True)
class ClvSettings:
    """The CLV vars (customer_ai__clv_time_unit, _clv_horizon_days, _clv_annual_discount_rate, _clv_min_repeat_buyers),
    whose defaults are set once, in dbt_project.yml; min_customers is fixed here."""

    time_unit: str
    horizon_days: int
    annual_discount_rate: float
    min_repeat_buyers: int
    min_customers: int = 20

    def __post_init__(self) -> None:
        if self.time_unit not in clv.DAYS_PER_UNIT:
            raise ValueError(
                f"customer_ai__clv_time_unit: one of {', '.join(clv.DAYS_PER_UNIT)}, got '{self.time_unit}'"
            )
        if self.horizon_days <= 0:
            raise ValueError(f"customer_ai__clv_horizon_days must be positive, got {self.horizon_days}")
        if not 0 <= self.annual_discount_rate < 1:
            raise ValueError(
                f"customer_ai__clv_annual_discount_rate must be in [0, 1), got {self.annual_discount_rate}"
            )


def rfm_arrays(summary: pd.DataFrame, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, tenure, monetary) in the model time unit, from the purchase-history summary."""
    days = clv.DAYS_PER_UNIT[unit]
    frequency = summary["frequency"].to_numpy(dtype=np.float64)
    recency = summary["recency_days"].to_numpy(dtype=np.float64) / days
    tenure = summary["tenure_days"].to_numpy(dtype=np.float64) / days
    monetary = summary["repeat_order_value"].astype("float64").to_numpy(na_value=np.nan)
    return frequency, recency, tenure, monetary


def _clean(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _fit_columns(report: clv.FitReport) -> dict:
    """The fits-table columns every fitted model reports."""
    return {
        **{name: _clean(value) for name, value in report.params.items()},
        "log_likelihood": _clean(report.log_likelihood),
        "converged": report.converged,
        "iterations": report.iterations,
        "fit_seconds": report.seconds,
        "optimizer_message": report.message,
        "parameters": json.dumps(report.params),
    }


# The columns the fit reads: a customer's history, folded (customers with the same history are one row).
FIT_COLUMNS = ["frequency", "recency_days", "tenure_days", "repeat_order_value"]


def fit_models(
    summary: pd.DataFrame, settings: ClvSettings, as_of: dt.date | None, run_id: str, fitted_at: dt.datetime
) -> tuple[clv.BetaGeoModel | None, clv.GammaGammaModel | None, pa.Table]:
    """Fit BG/NBD and Gamma-Gamma; return the models (None when not fitted) and the fits table.

    `summary` holds FIT_COLUMNS, one row per customer or, with a `customers` column, one row per distinct history
    and the number of customers who have it (what the warehouse returns when it folds the histories)."""
    frequency, recency, tenure, monetary = rfm_arrays(summary, settings.time_unit)
    weights = summary["customers"].to_numpy(dtype=np.float64) if "customers" in summary else np.ones(len(summary))
    rows = []
    base = {
        "model_run_id": run_id,
        "time_unit": settings.time_unit,
        "as_of_date": as_of,
        "fitted_at": fitted_at.replace(tzinfo=None),
        "customers": int(round(weights.sum())),
        "repeat_customers": int(round(weights[frequency > 0].sum())),
        "fit_fingerprint": fit_fingerprint(settings),
    }

    bgnbd = None
    try:
        bgnbd = clv.fit_bgnbd(
            frequency,
            recency,
            tenure,
            min_customers=settings.min_customers,
            min_repeat_customers=settings.min_repeat_buyers,
            weights=weights,
        )
        report = bgnbd.report
        status = STATUS_FITTED if report.converged else STATUS_NOT_FITTED
        message = (
            f"BG/NBD fitted on {report.customers:,} customers ({base['repeat_customers']:,} with repeat "
            f"purchases), log-likelihood {report.log_likelihood:,.1f}"
        )
        if not report.converged:
            message = f"BG/NBD did not converge: {report.message}"
            bgnbd = None
        else:
            implied = bgnbd_implied_repeat_purchases(bgnbd, tenure, weights)
            observed = float(np.average(frequency, weights=weights))
            status, why = fit_quality("BG/NBD", report.params, implied, observed, "mean number of repeat purchases")
            if status == STATUS_DEGENERATE:
                message, bgnbd = f"{why}. No purchase predictions.", None
            elif why:
                message += f"; {why}"
            else:
                message += f"; implied mean repeat purchases {implied:.3g} (observed {observed:.3g})"
        rows.append(
            {
                **base,
                **_fit_columns(report),
                "model_name": "bg_nbd",
                "status": status,
                "status_message": message,
                "excluded_customers": 0,
            }
        )
    except clv.FitError as error:
        rows.append(
            {
                **base,
                "model_name": "bg_nbd",
                "status": STATUS_NOT_FITTED,
                "excluded_customers": 0,
                "status_message": f"BG/NBD not fitted: {error}. No purchase predictions.",
                "converged": False,
            }
        )

    gamma_gamma = None
    usable = (frequency > 0) & np.isfinite(monetary) & (monetary > 0)
    excluded = int(round(weights[(frequency > 0) & ~usable].sum()))
    try:
        gamma_gamma = clv.fit_gamma_gamma(
            frequency, np.where(usable, monetary, np.nan), min_customers=settings.min_repeat_buyers, weights=weights
        )
        report = gamma_gamma.report
        message = (
            f"Gamma-Gamma fitted on {report.customers:,} repeat buyers, log-likelihood {report.log_likelihood:,.1f}"
        )
        if excluded:
            message += f"; {excluded:,} repeat buyers with a zero or negative order value left out"
        if gamma_gamma.q <= 1:
            message += "; q <= 1, so customers without repeat purchases use their own average order value"
        status = STATUS_FITTED
        if not report.converged:
            message = f"Gamma-Gamma did not converge: {report.message}"
            gamma_gamma, status = None, STATUS_NOT_FITTED
        else:
            observed = float(np.average(monetary[usable], weights=weights[usable]))
            implied = gamma_gamma.population_mean
            # q <= 1 (no finite population mean) is handled above: only the parameter range is checked then
            status, why = fit_quality(
                "Gamma-Gamma", report.params, implied if gamma_gamma.q > 1 else observed, observed, "mean order value"
            )
            if status == STATUS_DEGENERATE:
                message = f"{why}. Expected order value = the profile's own average order value."
                gamma_gamma = None
            elif why:
                message += f"; {why}"
            elif gamma_gamma.q > 1:
                message += f"; implied mean order value {implied:,.2f} (observed {observed:,.2f})"
        rows.append(
            {
                **base,
                **_fit_columns(report),
                "model_name": "gamma_gamma",
                "status": status,
                "status_message": message,
                "excluded_customers": excluded,
                "repeat_customers": report.customers,
            }
        )
    except clv.FitError as error:
        rows.append(
            {
                **base,
                "model_name": "gamma_gamma",
                "status": STATUS_NOT_FITTED,
                "excluded_customers": excluded,
                "status_message": f"Gamma-Gamma not fitted: {error}. Expected order value = the profile's own "
                "average order value.",
                "converged": False,
            }
        )
    return bgnbd, gamma_gamma, pa.Table.from_pylist(rows, schema=FITS_SCHEMA)


# The code a fit runs: a change of it fits again, whatever the retrain policy
FIT_CODE = [Path(clv.__file__), Path(__file__)]


def fit_fingerprint(settings: ClvSettings) -> str:
    """A digest of what a fit depends on besides the histories: the settings that shape it (not the horizon or the
    discount rate, which only the predictions use), the fitting code and the numerical libraries' versions."""
    described = {
        "time_unit": settings.time_unit,
        "min_customers": settings.min_customers,
        "min_repeat_buyers": settings.min_repeat_buyers,
        "libraries": {name: metadata.version(name) for name in ("numpy", "scipy")},
    }
    return fingerprint(described, FIT_CODE)


def kept_fits(
    read_stored: Callable[[], pa.Table | None], settings: ClvSettings, policy: str, after_days: int, now: dt.datetime
) -> tuple[pa.Table | None, str]:
    """(the previous build's fits, why) when customer_ai__retrain_policy keeps them, else (None, why this build
    fits). Fits are kept only while every one of them is usable and was made under the same settings and code
    (fit_fingerprint): a fit that failed, or one a change made stale, is fitted again whatever the policy. The
    predictions always use the current histories; the kept parameters describe the population as it was on the
    fits' as_of_date. `read_stored()`: the previous build's table (None without one), read only when the policy
    could keep it."""
    if policy == "always":  # every build fits: nothing stored is read
        return None, "retrain policy 'always'"
    stored = read_stored()
    if stored is None or stored.num_rows == 0 or stored.schema.names != FITS_SCHEMA.names:
        return None, "no fits yet"
    stored = stored.cast(FITS_SCHEMA)
    rows = stored.to_pylist()
    if {row["fit_fingerprint"] for row in rows} != {fit_fingerprint(settings)}:
        return None, "the fitting settings or code changed"
    unusable = sorted({row["model_name"] for row in rows if row["status"] not in USABLE_STATUSES})
    if unusable:
        return None, f"the latest fit of {', '.join(unusable)} is not usable"
    fitted_at = min(row["fitted_at"] for row in rows).replace(tzinfo=dt.UTC)
    refit, why = should_retrain(policy, after_days, fitted_at, now, subject="fit")
    return (None if refit else stored), why


def models_from_fits(fits: pd.DataFrame) -> tuple[clv.BetaGeoModel | None, clv.GammaGammaModel | None]:
    """Rebuild the fitted models from the fits table (scoring never refits)."""
    bgnbd = gamma_gamma = None
    for row in fits.to_dict("records"):
        if row["status"] not in USABLE_STATUSES:
            continue
        if row["model_name"] == "bg_nbd":
            bgnbd = clv.BetaGeoModel(row["r"], row["alpha"], row["a"], row["b"])
        elif row["model_name"] == "gamma_gamma":
            gamma_gamma = clv.GammaGammaModel(row["p"], row["q"], row["gamma"])
    return bgnbd, gamma_gamma


def predict_values(
    summary: pd.DataFrame,
    bgnbd: clv.BetaGeoModel | None,
    gamma_gamma: clv.GammaGammaModel | None,
    settings: ClvSettings,
    run_id: str,
) -> pa.Table:
    """Per-profile predictions. Without a BG/NBD fit the purchase predictions and CLV are null (not NaN)."""
    n = len(summary)
    frequency, recency, tenure, monetary = rfm_arrays(summary, settings.time_unit)
    own_average = summary["average_order_value"].astype("float64").to_numpy(na_value=np.nan)
    unit = clv.DAYS_PER_UNIT[settings.time_unit]

    if gamma_gamma is not None and np.isfinite(gamma_gamma.population_mean):
        order_value = gamma_gamma.expected_order_value(frequency, monetary)
        source = np.where(
            (frequency > 0) & np.isfinite(monetary) & (monetary > 0), "gamma_gamma", "gamma_gamma_population"
        )
    elif gamma_gamma is not None:
        usable = (frequency > 0) & np.isfinite(monetary) & (monetary > 0)
        order_value = np.where(usable, gamma_gamma.expected_order_value(frequency, monetary), own_average)
        source = np.where(usable, "gamma_gamma", "own_average")
    else:
        order_value = own_average
        source = np.full(n, "own_average")
    order_value = np.where(np.isfinite(order_value), np.maximum(order_value, 0.0), np.nan)

    if bgnbd is not None and n:
        p_alive = bgnbd.probability_alive(frequency, recency, tenure)
        p_buy90 = bgnbd.probability_of_purchase(90 / unit, frequency, recency, tenure)
        e30 = bgnbd.expected_purchases(30 / unit, frequency, recency, tenure)
        e90 = bgnbd.expected_purchases(90 / unit, frequency, recency, tenure)
        eh = bgnbd.expected_purchases(settings.horizon_days / unit, frequency, recency, tenure)
        value = clv.customer_lifetime_value(
            bgnbd,
            np.nan_to_num(order_value),
            frequency,
            recency,
            tenure,
            settings.horizon_days,
            settings.annual_discount_rate,
            settings.time_unit,
        )
    else:
        p_alive = p_buy90 = e30 = e90 = eh = value = np.full(n, np.nan)

    def nullable(values):
        values = np.asarray(values, dtype=np.float64)
        return pa.array(values, mask=~np.isfinite(values))

    return pa.table(
        {
            "profile_id": pa.array(summary["profile_id"].astype(str).tolist(), pa.string()),
            "expected_purchases_30d": nullable(e30),
            "expected_purchases_90d": nullable(e90),
            "expected_purchases_horizon": nullable(eh),
            "probability_alive": nullable(p_alive),
            "probability_purchase_next_90d": nullable(p_buy90),
            "expected_order_value": nullable(order_value),
            "predicted_clv": nullable(value),
            "order_value_source": pa.array(source.tolist(), pa.string()),
            "model_run_id": pa.array([run_id] * n, pa.string()),
        },
        schema=VALUES_SCHEMA,
    )
