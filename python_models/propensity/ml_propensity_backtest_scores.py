"""Every profile a backtest scored: its probability from the backtest's model and its label (what happened in the
outcome window after the backtest date). Scored in batches of customer_ai__scoring_batch_rows (on the executors,
on Spark)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import backtest_steps, engine

    warehouse = engine.of(session)
    models = warehouse.frame(dbt.ref("ml_propensity_backtests_trained"))
    evaluation_rows = dbt.ref("int_backtest_evaluation_examples_joined")
    results = [
        warehouse.map_batches(
            evaluation_rows,
            backtest_steps.scorer(name, day, stored),
            backtest_steps.BACKTEST_SCORES_SCHEMA,
            where=f"prediction_name = '{name}' and backtest_date = date '{day:%Y-%m-%d}'",
            order_by="profile_id",
            batch_rows=int(dbt.config.get("scoring_batch_rows")),
            step=f"backtest scoring {name} at {day}",
        )
        for name, day, stored in backtest_steps.usable_models(models)
    ]
    return warehouse.chain(backtest_steps.BACKTEST_SCORES_SCHEMA, results)
