"""Parquet copies of the BI-facing marts, one file per table under customer_ai__bi_export_dir.

A DuckDB file is locked while dbt writes it, so BI tools and notebooks read these copies instead; the engine
writes them (DuckDB, or Spark into one file per table). Each file is
written beside its final name and then renamed over it (an atomic replace on POSIX filesystems): a reader sees
the previous complete file or the new complete file, never half of one. Returns one row per file written.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import engine, exports

    warehouse = engine.of(session)
    tables = {
        "fct_propensity_scores": dbt.ref("fct_propensity_scores"),
        "fct_reason_codes": dbt.ref("fct_reason_codes"),
        "fct_customer_lifetime_value": dbt.ref("fct_customer_lifetime_value"),
        "dim_customer_profiles": dbt.ref("dim_customer_profiles"),
        "dim_segments": dbt.ref("dim_segments"),
        "fct_segment_memberships": dbt.ref("fct_segment_memberships"),
        "rpt_model_evaluation": dbt.ref("rpt_model_evaluation"),
        "rpt_lift_gains": dbt.ref("rpt_lift_gains"),
        "rpt_score_distribution": dbt.ref("rpt_score_distribution"),
        "rpt_influential_factors_by_bucket": dbt.ref("rpt_influential_factors_by_bucket"),
        "rpt_clv_model_fit": dbt.ref("rpt_clv_model_fit"),
        "rpt_backtest": dbt.ref("rpt_backtest"),
        "rpt_backtest_by_bucket": dbt.ref("rpt_backtest_by_bucket"),
        "rpt_calibration": dbt.ref("rpt_calibration"),
        "rpt_score_history_outcomes": dbt.ref("rpt_score_history_outcomes"),
        "rpt_segment_characteristics": dbt.ref("rpt_segment_characteristics"),
    }
    # The history tables (fct_*_history) grow with every build: BI reads them in the warehouse, not as copies.
    return warehouse.table(exports.export_parquet(tables, dbt.config.get("bi_export_dir"), warehouse.write_parquet))
