"""Fits BG/NBD and Gamma-Gamma by maximum likelihood on the purchase histories (customer_ai.clv): one row per
model with its parameters, log-likelihood, convergence and a status message. The histories are read folded (one
row per distinct history, with the number of customers who have it), which keeps the read small at any scale.

The fits follow customer_ai__retrain_policy, as the live propensity models do: a build the policy lets keep them
copies the previous build's fits (customer_ai.clv_steps.kept_fits says when) and reads no history; on Spark, where
the table is rebuilt from nothing, every build fits."""


def model(dbt, session):
    dbt.config(materialized="table")
    import datetime as dt

    from customer_ai import clv_steps, engine, progress

    warehouse = engine.of(session)
    settings = clv_steps.ClvSettings(
        time_unit=str(dbt.config.get("clv_time_unit")),
        horizon_days=int(dbt.config.get("clv_horizon_days")),
        annual_discount_rate=float(dbt.config.get("clv_annual_discount_rate")),
        min_repeat_buyers=int(dbt.config.get("clv_min_repeat_buyers")),
    )
    fitted_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    kept, why = clv_steps.kept_fits(
        lambda: warehouse.stored_table(dbt.this),
        settings,
        policy=str(dbt.config.get("retrain_policy")),
        after_days=int(dbt.config.get("retrain_after_days")),
        now=fitted_at,
    )
    if kept is not None:
        progress.log(f"lifetime value: keeping the fits of {kept['model_run_id'][0].as_py()} ({why})")
        return warehouse.table(kept)
    histories = dbt.ref("int_customer_purchase_histories_summarized")
    folded = warehouse.aggregate(histories, ["count(*) as customers"], group_by=clv_steps.FIT_COLUMNS)
    as_of = warehouse.aggregate(histories, ["max(as_of_date) as as_of_date"])["as_of_date"].iloc[0]
    run_id = f"clv__{fitted_at:%Y%m%dT%H%M%S}"
    progress.log(
        f"lifetime value: fitting on {int(folded['customers'].sum()):,} customers ({len(folded):,} histories; {why})"
    )
    _, _, fits = clv_steps.fit_models(folded, settings, None if folded.empty else as_of, run_id, fitted_at)
    for row in fits.to_pylist():
        progress.log(f"lifetime value: {row['model_name']} {row['status']} in {row['fit_seconds'] or 0:.1f}s")
    return warehouse.table(fits)
