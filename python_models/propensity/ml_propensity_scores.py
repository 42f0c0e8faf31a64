"""Calibrated probability of every eligible profile at the as-of date, per prediction, from the latest stored
model. Refuses (fails) when the stored model's feature list no longer matches the feature table. Scored in batches
of customer_ai__scoring_batch_rows (on the executors, on Spark)."""


def model(dbt, session):
    dbt.config(materialized="table")
    import datetime as dt

    from customer_ai import engine, propensity_steps

    warehouse = engine.of(session)
    predictions = propensity_steps.parse_predictions(dbt.config.get("predictions"))
    catalog = propensity_steps.FeatureCatalog.from_frame(warehouse.frame(dbt.ref("int_features_cataloged")))
    attempts = propensity_steps.latest_attempts(warehouse.frame(dbt.ref("ml_propensity_models_trained")))
    scored_at = dt.datetime.now(dt.UTC).replace(microsecond=0)

    return propensity_steps.map_over_scoring_rows(
        warehouse,
        dbt.ref("int_scoring_examples_joined"),
        predictions,
        attempts,
        catalog,
        propensity_steps.SCORES_SCHEMA,
        lambda name, stored: propensity_steps.scorer(name, stored, scored_at),
        batch_rows=int(dbt.config.get("scoring_batch_rows")),
        step="scoring",
    )
