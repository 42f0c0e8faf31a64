{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns',
        **customer_ai_dated_history_config()
    )
}}
/*
    Every build's lifetime-value predictions, kept: one row per (scoring date, profile). Replaced per as-of date
    like fct_propensity_score_history; --full-refresh is the only way to lose history.
*/

with

lifetime_values as (

    select * from {{ ref('fct_customer_lifetime_value') }}

),

final as (

    select
        profile_id,
        purchases,
        historic_value,
        probability_alive,
        probability_purchase_next_90d,
        expected_purchases_90d,
        expected_purchases_horizon,
        expected_order_value,
        predicted_clv,
        horizon_days,
        model_run_id,
        as_of_date
    from lifetime_values

)

select * from final
