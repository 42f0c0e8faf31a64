"""Reason codes: exact TreeSHAP contributions for every scored profile, the top k factors each, computed in
batches of customer_ai__scoring_batch_rows (memory stays bounded) by customer_ai__explain_processes worker
processes (both cores; the same values as one process)."""


def model(dbt, session):
    dbt.config(materialized="table")
    import pyarrow as pa

    from customer_ai import pipeline

    predictions = pipeline.parse_predictions(dbt.config.get("predictions"))
    batch_rows = int(dbt.config.get("scoring_batch_rows"))
    top_k = int(dbt.config.get("reason_codes_top_k"))
    n_jobs = int(dbt.config.get("explain_processes"))
    catalog = pipeline.FeatureCatalog.from_frame(dbt.ref("int_features_cataloged").df())
    attempts = pipeline.latest_attempts(dbt.ref("ml_propensity_models_trained").df())
    scoring = dbt.ref("int_scoring_examples_joined")

    def batches():
        for name, stored, features in pipeline.models_and_features(predictions, attempts, catalog, scoring, batch_rows):
            yield from pipeline.reason_batches(name, stored, features, catalog.labels, top_k, n_jobs)

    # Streamed: DuckDB writes each batch as it comes, so memory does not grow with the number of profiles.
    return pa.RecordBatchReader.from_batches(pipeline.REASONS_SCHEMA, batches())
