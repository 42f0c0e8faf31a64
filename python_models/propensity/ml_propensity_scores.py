"""Calibrated probability of every eligible profile at the as-of date, per prediction, from the latest stored
model. Refuses (fails) when the stored model's feature list no longer matches the feature table."""


def model(dbt, session):
    dbt.config(materialized="table")
    import datetime as dt

    import pyarrow as pa

    from customer_ai import pipeline

    predictions = pipeline.parse_predictions(dbt.config.get("predictions"))
    batch_rows = int(dbt.config.get("scoring_batch_rows"))
    catalog = pipeline.FeatureCatalog.from_frame(dbt.ref("int_features_cataloged").df())
    attempts = pipeline.latest_attempts(dbt.ref("ml_propensity_models_trained").df())
    scoring = dbt.ref("int_scoring_examples_joined")
    scored_at = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def batches():
        for name, stored, features in pipeline.models_and_features(predictions, attempts, catalog, scoring, batch_rows):
            yield from pipeline.score_batches(name, stored, features, scored_at)

    # Streamed: DuckDB writes each batch as it comes, so memory does not grow with the number of profiles.
    return pa.RecordBatchReader.from_batches(pipeline.SCORES_SCHEMA, batches())
