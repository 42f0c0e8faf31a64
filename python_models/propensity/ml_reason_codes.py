"""Reason codes: exact TreeSHAP contributions for every scored profile, the top k factors each, computed in
batches of customer_ai__scoring_batch_rows (memory stays bounded): on DuckDB by customer_ai__explain_processes
worker processes (the same values as one process), on Spark on the executors."""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import engine, explain, propensity_steps

    # Only to order the two: scoring and the explanation workers each keep both cores busy, so side by side they
    # compete (43-46 s at a million profiles on two cores, against 37-38 s for scoring, then reason codes).
    dbt.ref("ml_propensity_scores")
    warehouse = engine.of(session)
    scoring_rows = dbt.ref("int_scoring_examples_joined")
    batch_rows = int(dbt.config.get("scoring_batch_rows"))
    processes = warehouse.worker_processes(int(dbt.config.get("explain_processes")))
    if propensity_steps.explanations_use_workers(warehouse, scoring_rows, processes, batch_rows):
        # its imports then overlap the reading of the models and the first rows: 1-2 s at a million profiles
        explain.start_worker_server()
    predictions = propensity_steps.parse_predictions(dbt.config.get("predictions"))
    top_k = int(dbt.config.get("reason_codes_top_k"))
    catalog = propensity_steps.FeatureCatalog.from_frame(warehouse.frame(dbt.ref("int_features_cataloged")))
    attempts = propensity_steps.latest_attempts(warehouse.frame(dbt.ref("ml_propensity_models_trained")))

    return propensity_steps.map_over_scoring_rows(
        warehouse,
        scoring_rows,
        predictions,
        attempts,
        catalog,
        propensity_steps.REASONS_SCHEMA,
        lambda name, stored: propensity_steps.explainer(name, stored, catalog.labels, top_k, processes),
        batch_rows=batch_rows,
        step="reason codes",
    )
