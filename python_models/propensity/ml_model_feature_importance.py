"""Global feature importance (mean absolute SHAP contribution on the holdout) of each prediction's latest model."""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import engine, propensity_steps

    warehouse = engine.of(session)
    registry = warehouse.frame(
        dbt.ref("ml_propensity_models_trained"),
        columns=["prediction_name", "model_run_id", "trained_at", "status", "global_importance"],
    )
    return warehouse.table(propensity_steps.importance_table(propensity_steps.latest_attempts(registry)))
