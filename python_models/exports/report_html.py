"""The HTML report (customer_ai.report): one self-contained page per target in customer_ai__report_dir, with the
models' quality, lift, calibration, scores, reasons, backtests, lifetime value, segments and data health. Every
table it reads is small (reports, or one aggregate); returns one row describing the file written."""


def model(dbt, session):
    dbt.config(materialized="table")
    import os

    import pyarrow as pa

    from customer_ai import engine, progress, report

    warehouse = engine.of(session)
    folder = dbt.config.get("report_dir")
    schema = pa.schema(
        [("target", pa.string()), ("path", pa.string()), ("charts", pa.int64()), ("bytes", pa.int64())]
    )
    if not folder:
        progress.log("report: customer_ai__report_dir is null, no report written")
        return warehouse.table(pa.Table.from_pylist([], schema=schema))

    def read(relation, **options):
        return warehouse.frame(relation, **options)

    tiers = warehouse.aggregate(
        dbt.ref("dim_customer_profiles"),
        ["count(*) as profiles", "avg(predicted_clv) as average_predicted_clv"],
        group_by=["value_tier"],
    )
    tiers = tiers[tiers["value_tier"].notna()]
    tiers = tiers.assign(order=tiers["value_tier"].map({"top": 0, "middle": 1, "base": 2})).sort_values("order")
    rejections = warehouse.aggregate(
        dbt.ref("stg_experience_events_rejected"), ["count(*) as events"], group_by=["rejection_reason"]
    )
    lifetime_values = read(dbt.ref("fct_customer_lifetime_value"), columns=["predicted_clv"])
    staged = warehouse.aggregate(dbt.ref("stg_experience_events"), ["count(*) as events"])["events"].iloc[0]
    inputs = report.ReportInputs(
        target=str(dbt.config.get("target_name")),
        evaluation=read(dbt.ref("rpt_model_evaluation"), where="is_latest"),
        lift=read(dbt.ref("rpt_lift_gains")),
        calibration=read(dbt.ref("rpt_calibration")),
        score_distribution=read(dbt.ref("rpt_score_distribution")),
        factors=read(dbt.ref("rpt_influential_factors_by_bucket")),
        backtest=read(dbt.ref("rpt_backtest")),
        backtest_by_bucket=read(dbt.ref("rpt_backtest_by_bucket")),
        history_outcomes=read(dbt.ref("rpt_score_history_outcomes")),
        clv_fit=read(dbt.ref("rpt_clv_model_fit")),
        predicted_clv=lifetime_values["predicted_clv"],
        value_tiers=tiers.drop(columns="order").reset_index(drop=True),
        segments=read(dbt.ref("dim_segments")),
        staged_events=int(staged),
        rejections=rejections.astype({"events": "int64"}),
        as_of=read(dbt.ref("int_as_of_dates_resolved")),
    )
    page, data = report.build_report(inputs)
    path = report.write_report(page, folder)
    progress.log(f"report: {len(data['charts'])} charts written to {path}")
    row = {"target": inputs.target, "path": path, "charts": len(data["charts"]), "bytes": os.path.getsize(path)}
    return warehouse.table(pa.Table.from_pylist([row], schema=schema))
