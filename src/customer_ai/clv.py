"""Customer lifetime value: BG/NBD (purchase frequency and dropout) and Gamma-Gamma (order value).

Both are fitted by maximum likelihood with scipy, on log-parameters (so every parameter stays positive), with
log-space likelihoods (gammaln, logaddexp) so that large frequencies do not overflow, and vectorized over
customers. References:

- Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD Model",
  Marketing Science 24(2): the BG/NBD likelihood (eq. 6), P(alive) (eq. 11) and conditional expectation (eq. 10).
- Fader, Hardie and Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", JMR 42(4), and
  Fader and Hardie (2013), "The Gamma-Gamma Model of Monetary Value": the Gamma-Gamma likelihood and E[M | x, m].

Inputs per customer, in one time unit (days or weeks): ``frequency`` x = repeat purchases (purchase days after the
first), ``recency`` t_x = time from the first to the last purchase, ``tenure`` T = time from the first purchase to
the end of observation, and for Gamma-Gamma ``monetary`` = the mean value of the repeat purchases.

Validated against the published CDNOW results (tests/python/test_clv.py): r = 0.243, alpha = 4.414, a = 0.793,
b = 2.426, log-likelihood -9582.4; Gamma-Gamma p = 6.25, q = 3.74, gamma = 15.44.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0}


@dataclass(frozen=True)
class FitReport:
    """How a maximum-likelihood fit went: parameters, log-likelihood, convergence."""

    params: dict[str, float]
    log_likelihood: float
    converged: bool
    iterations: int
    message: str
    customers: int
    seconds: float
    extra: dict[str, float] = field(default_factory=dict)


class FitError(ValueError):
    """The data cannot support the fit (too few customers or repeat buyers, bad values)."""


def _check_rfm(frequency, recency, tenure) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    T = np.asarray(tenure, dtype=np.float64)
    if not (x.shape == t_x.shape == T.shape):
        raise FitError("frequency, recency and tenure must have the same length")
    if np.any(~np.isfinite(x) | ~np.isfinite(t_x) | ~np.isfinite(T)):
        raise FitError("frequency, recency and tenure must be finite numbers")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(T < t_x - 1e-9):
        raise FitError("need frequency >= 0 and 0 <= recency <= tenure for every customer")
    return x, t_x, T


def _maximize(
    objective, start: np.ndarray, upper: float, names: tuple[str, ...], customers: int, extra: dict | None = None
) -> FitReport:
    """Minimize a negative log-likelihood over log-parameters: L-BFGS-B within bounds, then a Nelder-Mead polish
    from its optimum (cheap, and robust where the surface is flat); the better of the two wins.

    The optimizers see the mean per customer, not the sum: their tolerances are absolute, and a sum over half a
    million customers (about -2e6) carries rounding noise above them, which made L-BFGS-B stop with ABNORMAL and
    Nelder-Mead run to its iteration limit (a not_fitted BG/NBD after 246 s at a million demo profiles). Per
    customer, the same tolerances mean the same precision at any size.
    """
    started = time.perf_counter()
    scale = float(max(customers, 1))

    def per_customer(log_params):
        return objective(log_params) / scale

    result = minimize(
        per_customer,
        start,
        method="L-BFGS-B",
        bounds=[(-12, upper)] * len(start),
        options={"maxiter": 2_000, "ftol": 1e-13, "gtol": 1e-9},
    )
    # A bounded polish: where the maximum lies at infinity along a ridge (a and b of BG/NBD both growing when
    # customers hardly differ in their drop-out probability) Nelder-Mead would walk up the ridge for thousands of
    # iterations for a last digit of likelihood; it is taken only if it gains something measurable.
    polished = minimize(
        per_customer, result.x, method="Nelder-Mead", options={"maxiter": 600, "xatol": 1e-9, "fatol": 1e-13}
    )
    best = polished if polished.fun < result.fun - 1e-12 else result
    return FitReport(
        params={name: float(v) for name, v in zip(names, np.exp(best.x), strict=True)},
        log_likelihood=float(-best.fun * scale),
        converged=bool(result.success or polished.success) and np.isfinite(best.fun),
        iterations=int(result.nit + polished.nit),
        message=f"L-BFGS-B: {result.message}; Nelder-Mead: {polished.message}",
        customers=customers,
        seconds=time.perf_counter() - started,
        extra=extra or {},
    )


# --- BG/NBD -----------------------------------------------------------------------------------------------------


def bgnbd_log_likelihood_terms(
    params: tuple[float, float, float, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD model (Fader, Hardie and Lee 2005, eq. 6), in log space: the
    published formula, one customer at a time. The fit evaluates the same terms gathered from each column's distinct
    values (_BgnbdTerms), which tests/python/test_clv.py holds to this."""
    r, alpha, a, b = params
    ln_a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    ln_a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    ln_a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return ln_a1 + ln_a2 + np.logaddexp(ln_a3, ln_a4)


@dataclass(frozen=True)
class BetaGeoModel:
    """A fitted BG/NBD model. Times are in the unit the model was fitted in."""

    r: float
    alpha: float
    a: float
    b: float
    report: FitReport | None = None

    @property
    def params(self) -> tuple[float, float, float, float]:
        return self.r, self.alpha, self.a, self.b

    def probability_alive(self, frequency, recency, tenure) -> np.ndarray:
        """P(still active at the end of observation | x, t_x, T) (eq. 11); 1 for customers with no repeat."""
        x, t_x, T = _check_rfm(frequency, recency, tenure)
        r, alpha, a, b = self.params
        with np.errstate(divide="ignore", over="ignore"):
            ln_ratio = (
                np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
            )
        return np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(ln_ratio, 700))), 1.0)

    def probability_of_purchase(self, t: float, frequency, recency, tenure) -> np.ndarray:
        """P(at least one purchase in (T, T + t] | x, t_x, T).

        In BG/NBD a customer drops out only right after a purchase, so one alive at T who buys nothing in the next
        t stays alive, and given alive the purchase rate's posterior is Gamma(r + x, alpha + T):
        P(none in t | alive) = ((alpha + T) / (alpha + T + t)) ** (r + x), and the answer is
        P(alive) * (1 - that). Unlike P(alive), which is 1 for every customer without a repeat purchase, it falls
        with the time since the last purchase and with a low purchase rate."""
        x, t_x, T = _check_rfm(frequency, recency, tenure)
        r, alpha, _, _ = self.params
        if t <= 0:
            return np.zeros_like(x)
        none_if_alive = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
        return self.probability_alive(x, t_x, T) * (1.0 - none_if_alive)

    def expected_purchases(self, t: float, frequency, recency, tenure) -> np.ndarray:
        """E[purchases in (T, T + t] | x, t_x, T] (eq. 10)."""
        x, t_x, T = _check_rfm(frequency, recency, tenure)
        r, alpha, a, b = self.params
        if t <= 0:
            return np.zeros_like(x)
        z = t / (alpha + T + t)
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
        ln_base = (r + x) * (np.log(alpha + T) - np.log(alpha + T + t))
        numerator = (a + b + x - 1) / (a - 1) * (1 - np.exp(ln_base) * hyp)
        with np.errstate(divide="ignore", over="ignore"):
            ln_ratio = (
                np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
            )
        denominator = 1 + np.where(x > 0, np.exp(np.minimum(ln_ratio, 700)), 0.0)
        return np.maximum(numerator / denominator, 0.0)

    def expected_purchases_new_customer(self, t: float) -> float:
        """E[X(t)] for a customer just acquired (eq. 7)."""
        r, alpha, a, b = self.params
        z = t / (alpha + t)
        return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z)))


def _on_distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A column's distinct values, and the position of each row's value among them."""
    distinct, position = np.unique(values, return_inverse=True)
    return distinct, position.ravel()


class _BgnbdTerms:
    """bgnbd_log_likelihood_terms of fixed histories, for the optimizer's many evaluations.

    Even folded, the histories are hundreds of thousands of rows, but each of x, t_x and T takes only hundreds of
    values (purchase counts, days): the special functions and logs run on those and are gathered per history,
    leaving one logaddexp per history. The same terms as the reference, to rounding (tests/python/test_clv.py).
    """

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
        self.x, self.repeat = x, x > 0
        self.xs, self.x_at = _on_distinct(x)
        self.ts, self.t_at = _on_distinct(t_x)
        self.Ts, self.T_at = _on_distinct(T)

    def __call__(self, params: tuple[float, float, float, float]) -> np.ndarray:
        r, alpha, a, b = params
        xs = self.xs
        ln_a1 = gammaln(r + xs) - gammaln(r) + r * np.log(alpha)
        ln_a2 = gammaln(a + b) + gammaln(b + xs) - gammaln(b) - gammaln(a + b + xs)
        r_x = r + self.x
        ln_a3 = -r_x * np.log(alpha + self.Ts)[self.T_at]
        with np.errstate(divide="ignore", invalid="ignore"):
            per_count = np.log(a) - np.log(np.maximum(b + xs - 1, 1e-300))
            ln_a4 = np.where(self.repeat, per_count[self.x_at] - r_x * np.log(alpha + self.ts)[self.t_at], -np.inf)
        return (ln_a1 + ln_a2)[self.x_at] + np.logaddexp(ln_a3, ln_a4)


class _GammaGammaTerms:
    """gamma_gamma_log_likelihood_terms of fixed repeat buyers, for the optimizer's many evaluations: the gamma
    functions run on the few distinct repeat counts, and what does not depend on the parameters is computed once."""

    def __init__(self, x: np.ndarray, m: np.ndarray) -> None:
        self.x, self.log_m, self.spent = x, np.log(m), m * x
        self.xs, self.x_at = _on_distinct(x)
        self.log_x = np.log(self.xs)[self.x_at]

    def __call__(self, params: tuple[float, float, float]) -> np.ndarray:
        p, q, gamma = params
        px = p * self.x
        per_count = gammaln(p * self.xs + q) - gammaln(p * self.xs) - gammaln(q) + q * np.log(gamma)
        return per_count[self.x_at] + (px - 1) * self.log_m + px * self.log_x - (px + q) * np.log(gamma + self.spent)


def _fold(columns: list[np.ndarray], weights=None) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the columns, in sorted order, and how many customers (or how much weight) each holds.

    The likelihoods only depend on these rows: customers with the same history are one weighted term. Sorted, the
    sum is over the same numbers in the same order whatever order the customers came in, so fits are
    bit-identical from build to build and from engine to engine (a warehouse may also hand the histories over
    already folded, with weights)."""
    stacked = np.column_stack(columns)
    rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
    w = np.ones(len(stacked)) if weights is None else np.asarray(weights, dtype=np.float64)
    return rows, np.bincount(inverse.ravel(), weights=w, minlength=len(rows))


def fit_bgnbd(
    frequency, recency, tenure, min_customers: int = 10, min_repeat_customers: int = 5, weights=None
) -> BetaGeoModel:
    """Maximum-likelihood BG/NBD. Raises FitError when the data cannot identify the model. `weights` (optional)
    counts the customers each row stands for."""
    x, t_x, T = _check_rfm(frequency, recency, tenure)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    n = int(round(w.sum()))
    repeaters = int(round(w[x > 0].sum()))
    if n < min_customers:
        raise FitError(f"BG/NBD needs at least {min_customers} customers, got {n}")
    if repeaters < min_repeat_customers:
        raise FitError(
            f"BG/NBD needs at least {min_repeat_customers} customers with a repeat purchase, got {repeaters}"
            " (with no repeat purchases there is nothing to learn the purchase rate from)"
        )
    if np.all(T <= 0):
        raise FitError("every customer was first seen at the end of observation (tenure 0)")

    # Customers with the same (x, t_x, T) (common with daily data) are one weighted term: same maximum, far fewer
    # evaluations on a large customer base, and a sum that does not depend on the input order.
    triples, counts = _fold([x, t_x, T], w)
    ux, ut_x, uT = triples[:, 0], triples[:, 1], triples[:, 2]
    terms = _BgnbdTerms(ux, ut_x, uT)

    def objective(log_params):
        params = np.exp(log_params)
        value = -(counts * terms(tuple(params))).sum()
        return value if np.isfinite(value) else 1e300

    report = _maximize(
        objective,
        np.log([1.0, max(float((counts * uT).sum() / counts.sum()), 1e-3), 1.0, 1.0]),
        upper=12,
        names=("r", "alpha", "a", "b"),
        customers=n,
        extra={"repeat_customers": repeaters, "distinct_histories": int(len(counts))},
    )
    r, alpha, a, b = (report.params[k] for k in ("r", "alpha", "a", "b"))
    return BetaGeoModel(float(r), float(alpha), float(a), float(b), report)


# --- Gamma-Gamma ---------------------------------------------------------------------------------------------------


def gamma_gamma_log_likelihood_terms(params: tuple[float, float, float], x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood of the mean spend m over x repeat transactions (Gamma-Gamma): the published
    formula, which the fit's gathered terms (_GammaGammaTerms) are tested against."""
    p, q, gamma = params
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + m * x)
    )


@dataclass(frozen=True)
class GammaGammaModel:
    p: float
    q: float
    gamma: float
    report: FitReport | None = None

    @property
    def population_mean(self) -> float:
        """E[M] for a customer with no repeat purchases yet: p * gamma / (q - 1) (infinite when q <= 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("nan")

    def expected_order_value(self, frequency, monetary) -> np.ndarray:
        """E[M | x, m_x]: a weighted mean of the customer's own mean spend and the population mean."""
        x = np.asarray(frequency, dtype=np.float64)
        m = np.asarray(monetary, dtype=np.float64)
        usable = (x > 0) & np.isfinite(m) & (m > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            own = (self.gamma + np.where(usable, m, 0.0) * x) * self.p / (self.p * x + self.q - 1)
        return np.where(usable, own, self.population_mean)


def fit_gamma_gamma(frequency, monetary, min_customers: int = 10, weights=None) -> GammaGammaModel:
    """Maximum-likelihood Gamma-Gamma on customers with x > 0 repeat purchases and a positive mean spend.
    `weights` (optional) counts the customers each row stands for."""
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary, dtype=np.float64)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    keep = (x > 0) & np.isfinite(m) & (m > 0)
    x, m, w = x[keep], m[keep], w[keep]
    customers = int(round(w.sum()))
    if customers < min_customers:
        raise FitError(
            f"Gamma-Gamma needs at least {min_customers} repeat buyers with a positive order value, got {customers}"
        )
    if np.allclose(m, m[0]):
        raise FitError("Gamma-Gamma cannot be fitted when every repeat buyer has the same mean order value")

    # Customers with the same (x, m) are folded into one weighted term, in sorted order: the likelihood is then the
    # same sum of the same numbers whatever order the customers arrive in, so the fit is bit-identical from build
    # to build (a sum of doubles in another order can differ in its last bit, and so can the optimum).
    pairs, counts = _fold([x, m], w)
    ux, um = pairs[:, 0], pairs[:, 1]
    terms = _GammaGammaTerms(ux, um)

    def objective(log_params):
        value = -(counts * terms(tuple(np.exp(log_params)))).sum()
        return value if np.isfinite(value) else 1e300

    report = _maximize(
        objective,
        np.log([1.0, 1.0, max(float((counts * um).sum() / counts.sum()), 1e-3)]),
        upper=14,
        names=("p", "q", "gamma"),
        customers=customers,
    )
    p, q, gamma = (report.params[k] for k in ("p", "q", "gamma"))
    return GammaGammaModel(float(p), float(q), float(gamma), report)


# --- CLV --------------------------------------------------------------------------------------------------------------


def customer_lifetime_value(
    bgnbd: BetaGeoModel,
    order_value: np.ndarray,
    frequency,
    recency,
    tenure,
    horizon_days: int,
    annual_discount_rate: float,
    time_unit: str,
    step_days: int = 30,
) -> np.ndarray:
    """Discounted expected revenue over the horizon.

    The horizon is cut into steps of ``step_days`` (30: months); the purchases expected in step k, E[Y(t_k)] -
    E[Y(t_(k-1))], are valued at the expected order value and discounted by (1 + d)^(t_k / 365), d the annual rate.
    """
    unit = DAYS_PER_UNIT[time_unit]
    value = np.zeros(len(np.asarray(frequency)), dtype=np.float64)
    previous = np.zeros_like(value)
    elapsed = 0
    while elapsed < horizon_days:
        elapsed = min(elapsed + step_days, horizon_days)
        cumulative = bgnbd.expected_purchases(elapsed / unit, frequency, recency, tenure)
        value += (cumulative - previous) * order_value / (1 + annual_discount_rate) ** (elapsed / 365.0)
        previous = cumulative
    return value


def rfm_from_transactions(
    customer: np.ndarray, day: np.ndarray, value: np.ndarray, end_day: float, time_unit: str
) -> dict[str, np.ndarray]:
    """RFM summary from transactions (one per customer-day after aggregation): the library-side twin of
    int_customer_purchase_histories_summarized, used for validation and tests.

    ``day`` is a day number (e.g. days since an epoch) and ``end_day`` the as-of day. Recency and tenure are
    differences of dates, as in Fader, Hardie and Lee's CDNOW data: T = as-of date - first purchase date.
    """
    unit = DAYS_PER_UNIT[time_unit]
    order = np.lexsort((day, customer))
    customer, day, value = customer[order], day[order], value[order]
    keys, first_idx, counts = np.unique(customer, return_index=True, return_counts=True)
    first_day = day[first_idx]
    last_day = day[first_idx + counts - 1]
    total = np.add.reduceat(value, first_idx)
    first_value = value[first_idx]
    frequency = counts - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, (total - first_value) / np.maximum(frequency, 1), 0.0)
    return {
        "customer": keys,
        "frequency": frequency.astype(np.float64),
        "recency": (last_day - first_day) / unit,
        "tenure": (end_day - first_day) / unit,
        "monetary": monetary,
        "total": total,
    }
