"""Every profile a backtest scored: its probability from the backtest's model and its label (what happened in the
outcome window after the backtest date). Scored in batches of customer_ai__scoring_batch_rows (on the executors,
on Spark). A backtest whose model and evaluation rows are those of the previous build keeps that build's scores
(same scoring_fingerprint): a daily build scores only the backtests whose outcome windows got new events."""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import backtest_steps, engine, progress

    warehouse = engine.of(session)
    models = warehouse.frame(dbt.ref("ml_propensity_backtests_trained"))
    evaluation_rows = dbt.ref("int_backtest_evaluation_examples_joined")
    digests = warehouse.content_digests(evaluation_rows, ["prediction_name", "backtest_date"])
    results = []
    for backtest in backtest_steps.usable_models(models, digests):
        step = f"backtest scoring {backtest.name} at {backtest.backtest_date}"
        kept = backtest_steps.kept_scores(lambda where: warehouse.stored_table(dbt.this, where), backtest)
        if kept is not None:
            progress.log(f"{step}: kept the previous build's {kept.num_rows:,} scores (same model and rows)")
            results.append(kept)
            continue
        results.append(
            warehouse.map_batches(
                evaluation_rows,
                backtest_steps.scorer(backtest.name, backtest.backtest_date, backtest.model, backtest.fingerprint),
                backtest_steps.BACKTEST_SCORES_SCHEMA,
                where=backtest.where,
                order_by="profile_id",
                batch_rows=int(dbt.config.get("scoring_batch_rows")),
                step=step,
                columns=backtest_steps.scored_columns(backtest.model),
                total_rows=backtest.row_count,
            )
        )
    return warehouse.chain(backtest_steps.BACKTEST_SCORES_SCHEMA, results)
