"""Lift and cumulative gains by decile of the latest model run of each prediction (from the registry)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import pipeline

    registry = dbt.ref("ml_propensity_models_trained").project(
        "prediction_name, model_run_id, trained_at, status, lift_gains"
    )
    return pipeline.lift_table(pipeline.latest_attempts(registry.df()))
