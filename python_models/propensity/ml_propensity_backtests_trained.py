"""One model per prediction and backtest date (customer_ai__backtest_dates), trained only on what was known at
that date: the model a build with the backtest date as its as-of date would have trained (customer_ai.backtest_steps).
A table of this build's backtests; a backtest the previous build fitted on the same inputs (same training
fingerprint) is copied from it rather than fitted again. The live registry (ml_propensity_models_trained) is not
touched."""


def model(dbt, session):
    dbt.config(materialized="table")
    import datetime as dt

    import pandas as pd

    from customer_ai import backtest_steps, engine, propensity_steps

    warehouse = engine.of(session)
    predictions = propensity_steps.parse_predictions(dbt.config.get("predictions"))
    settings = propensity_steps.TrainingSettings(
        min_positive_examples=int(dbt.config.get("min_positive_examples")),
        min_negative_examples=int(dbt.config.get("min_negative_examples")),
        poor_auc_threshold=float(dbt.config.get("poor_auc_threshold")),
        seed=int(dbt.config.get("model_seed")),
    )
    catalog = propensity_steps.FeatureCatalog.from_frame(warehouse.frame(dbt.ref("int_features_cataloged")))
    dates = warehouse.frame(
        dbt.ref("int_backtest_snapshots_assigned"),
        columns=["prediction_name", "backtest_date"],
        where="snapshot_role = 'evaluation'",
    )
    backtest_dates = {
        name: sorted(pd.to_datetime(group["backtest_date"]).dt.date) for name, group in dates.groupby("prediction_name")
    }
    examples = dbt.ref("int_backtest_training_examples_sampled")
    # what each backtest's fit depends on, digested by the engine: a kept backtest's examples are never read
    fitted_columns = [column for column in examples.columns if column != "inputs_fingerprint"]
    digests = warehouse.content_digests(examples, ["prediction_name", "backtest_date"], columns=fitted_columns)

    def read_examples(name, day):
        return warehouse.frame(examples, where=f"prediction_name = '{name}' and backtest_date = date '{day:%Y-%m-%d}'")

    return warehouse.table(
        backtest_steps.train_all(
            predictions,
            backtest_dates,
            read_examples,
            backtest_steps.examples_digests(digests, fitted_columns),
            catalog,
            settings,
            now=dt.datetime.now(dt.UTC).replace(microsecond=0),
            engine_versions={"engine": warehouse.name, **warehouse.versions()},
            stored=warehouse.stored_table(dbt.this),
        )
    )
