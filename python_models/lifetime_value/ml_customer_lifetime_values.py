"""Per-profile lifetime-value predictions from the fitted parameters in ml_clv_model_fits (no refit), computed
batch by batch (on the executors, on Spark)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import clv_steps, engine

    warehouse = engine.of(session)
    settings = clv_steps.ClvSettings(
        time_unit=str(dbt.config.get("clv_time_unit")),
        horizon_days=int(dbt.config.get("clv_horizon_days")),
        annual_discount_rate=float(dbt.config.get("clv_annual_discount_rate")),
        min_repeat_buyers=int(dbt.config.get("clv_min_repeat_buyers")),
    )
    fits = warehouse.frame(dbt.ref("ml_clv_model_fits"))
    bgnbd, gamma_gamma = clv_steps.models_from_fits(fits)
    run_id = fits["model_run_id"].iloc[0] if len(fits) else "clv__none"

    def predict(frames):
        for summary in frames:
            yield from clv_steps.predict_values(summary, bgnbd, gamma_gamma, settings, run_id).to_batches()

    return warehouse.map_batches(
        dbt.ref("int_customer_purchase_histories_summarized"),
        predict,
        clv_steps.VALUES_SCHEMA,
        order_by="profile_id",
        batch_rows=int(dbt.config.get("scoring_batch_rows")),
        step="lifetime value",
    )
