"""The model registry: one row per training run of each prediction, with the skops-serialized model.

Incremental: every build appends the runs it trained; the retrain policy (customer_ai__retrain_policy) decides
whether a prediction is retrained or keeps its stored model. The training itself is customer_ai.propensity; it
reads each prediction's bounded training sample (customer_ai__training_max_rows) to this process.
"""


def model(dbt, session):
    dbt.config(materialized="incremental")
    import datetime as dt

    from customer_ai import engine, propensity_steps

    warehouse = engine.of(session)
    predictions = propensity_steps.parse_predictions(dbt.config.get("predictions"))
    settings = propensity_steps.TrainingSettings(
        min_positive_examples=int(dbt.config.get("min_positive_examples")),
        min_negative_examples=int(dbt.config.get("min_negative_examples")),
        poor_auc_threshold=float(dbt.config.get("poor_auc_threshold")),
        seed=int(dbt.config.get("model_seed")),
    )
    catalog = propensity_steps.FeatureCatalog.from_frame(warehouse.frame(dbt.ref("int_features_cataloged")))
    examples = dbt.ref("int_training_examples_sampled")

    last_trained = {}
    if dbt.is_incremental:
        # as text: a timestamp read back through Spark would be shifted into the driver's local time zone
        rows = warehouse.rows(
            f"select prediction_name, cast(max(trained_at) as {'string' if warehouse.name == 'spark' else 'varchar'}) "
            f"from {dbt.this} group by prediction_name"
        )
        last_trained = {name: dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC) for name, text in rows}

    def read_examples(name):
        return warehouse.frame(examples, where=f"prediction_name = '{name}'")

    table = propensity_steps.train_all(
        predictions,
        read_examples,
        catalog,
        settings,
        last_trained,
        policy=str(dbt.config.get("retrain_policy")),
        after_days=int(dbt.config.get("retrain_after_days")),
        now=dt.datetime.now(dt.UTC).replace(microsecond=0),
        engine_versions={"engine": warehouse.name, **warehouse.versions()},
    )
    return warehouse.table(table)
