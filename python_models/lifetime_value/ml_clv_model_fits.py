"""Fits BG/NBD and Gamma-Gamma by maximum likelihood on the purchase histories (customer_ai.clv): one row per
model with its parameters, log-likelihood, convergence and a status message."""


def model(dbt, session):
    dbt.config(materialized="table")
    import datetime as dt

    from customer_ai import lifetime_value

    settings = lifetime_value.ClvSettings(
        time_unit=str(dbt.config.get("clv_time_unit")),
        horizon_days=int(dbt.config.get("clv_horizon_days")),
        annual_discount_rate=float(dbt.config.get("clv_annual_discount_rate")),
        min_repeat_buyers=int(dbt.config.get("clv_min_repeat_buyers")),
    )
    # in a defined order, so that the output is the same from build to build (the fit itself is order-free)
    summary = dbt.ref("int_customer_purchase_histories_summarized").order("profile_id").df()
    as_of = summary["as_of_date"].max() if len(summary) else None
    fitted_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    run_id = f"clv__{fitted_at:%Y%m%dT%H%M%S}"
    _, _, fits = lifetime_value.fit_models(summary, settings, as_of, run_id, fitted_at)
    return fits
