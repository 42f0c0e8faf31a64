"""Every profile a backtest scored: its probability from the backtest's model and its label (what happened in the
outcome window after the backtest date). Scored in batches of customer_ai__scoring_batch_rows (on the executors,
on Spark)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import backtests, engine

    warehouse = engine.of(session)
    models = warehouse.frame(dbt.ref("ml_propensity_backtests_trained"))
    evaluation_rows = dbt.ref("int_backtest_evaluation_examples_joined")
    results = [
        warehouse.map_batches(
            evaluation_rows,
            backtests.scorer(name, day, stored),
            backtests.BACKTEST_SCORES_SCHEMA,
            where=f"prediction_name = '{name}' and backtest_date = date '{day:%Y-%m-%d}'",
            order_by="profile_id",
            batch_rows=int(dbt.config.get("scoring_batch_rows")),
            step=f"backtest scoring {name} at {day}",
        )
        for name, day, stored in backtests.usable_models(models)
    ]
    return warehouse.chain(backtests.BACKTEST_SCORES_SCHEMA, results)
