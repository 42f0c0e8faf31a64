"""Per-profile lifetime-value predictions from the fitted parameters in ml_clv_model_fits (no refit)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import lifetime_value

    settings = lifetime_value.ClvSettings(
        time_unit=str(dbt.config.get("clv_time_unit")),
        horizon_days=int(dbt.config.get("clv_horizon_days")),
        annual_discount_rate=float(dbt.config.get("clv_annual_discount_rate")),
        min_repeat_buyers=int(dbt.config.get("clv_min_repeat_buyers")),
    )
    # in a defined order, so that the output is the same from build to build (the fit itself is order-free)
    summary = dbt.ref("int_customer_purchase_histories_summarized").order("profile_id").df()
    fits = dbt.ref("ml_clv_model_fits").df()
    bgnbd, gamma_gamma = lifetime_value.models_from_fits(fits)
    run_id = fits["model_run_id"].iloc[0] if len(fits) else "clv__none"
    return lifetime_value.predict_values(summary, bgnbd, gamma_gamma, settings, run_id)
