"""Global feature importance (mean absolute SHAP contribution on the holdout) of each prediction's latest model."""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import pipeline

    registry = dbt.ref("ml_propensity_models_trained").project(
        "prediction_name, model_run_id, trained_at, status, global_importance"
    )
    return pipeline.importance_table(pipeline.latest_attempts(registry.df()))
