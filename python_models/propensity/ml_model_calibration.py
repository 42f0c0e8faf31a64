"""Holdout calibration bins (mean predicted probability against observed rate) of the latest model run of each
prediction (from the registry). rpt_calibration adds the backtests' bins."""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import engine, propensity_steps

    warehouse = engine.of(session)
    registry = warehouse.frame(
        dbt.ref("ml_propensity_models_trained"),
        columns=["prediction_name", "model_run_id", "trained_at", "status", "calibration_bins"],
    )
    return warehouse.table(propensity_steps.calibration_table(propensity_steps.latest_attempts(registry)))
