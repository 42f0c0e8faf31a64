"""The model registry: one row per training run of each prediction, with the skops-serialized model.

Incremental: every build appends the runs it trained; the retrain policy (customer_ai__retrain_policy) decides
whether a prediction is retrained or keeps its stored model. The training itself is customer_ai.propensity.
"""


def model(dbt, session):
    dbt.config(materialized="incremental")
    import datetime as dt

    import pyarrow as pa

    from customer_ai import pipeline

    predictions = pipeline.parse_predictions(dbt.config.get("predictions"))
    settings = pipeline.TrainingSettings(
        min_positive_examples=int(dbt.config.get("min_positive_examples")),
        min_negative_examples=int(dbt.config.get("min_negative_examples")),
        poor_auc_threshold=float(dbt.config.get("poor_auc_threshold")),
        seed=int(dbt.config.get("model_seed")),
    )
    catalog = pipeline.FeatureCatalog.from_frame(dbt.ref("int_features_cataloged").df())
    examples = dbt.ref("int_training_examples_sampled")

    last_trained = {}
    if dbt.is_incremental:
        rows = session.sql(f"select prediction_name, max(trained_at) from {dbt.this} group by 1").fetchall()
        last_trained = {name: trained_at.replace(tzinfo=dt.UTC) for name, trained_at in rows}

    def read_examples(name):
        return examples.filter(f"prediction_name = '{name}'").df()

    table = pipeline.train_all(
        predictions,
        read_examples,
        catalog,
        settings,
        last_trained,
        policy=str(dbt.config.get("retrain_policy")),
        after_days=int(dbt.config.get("retrain_after_days")),
        now=dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    return pa.Table.from_batches(table.to_batches(), schema=pipeline.REGISTRY_SCHEMA)
