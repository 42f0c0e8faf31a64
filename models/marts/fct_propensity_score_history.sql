{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns',
        **customer_ai_dated_history_config()
    )
}}
/*
    Every build's scores, kept: one row per (scoring date, prediction, profile). A build appends the scores of its
    as-of date; a rebuild of the same as-of date replaces that date only (macros/portability/incremental.sql);
    --full-refresh is the only way to lose history. rpt_score_history_outcomes measures the dates whose outcome
    windows have closed against what happened.
*/

with

scores as (

    select * from {{ ref('fct_propensity_scores') }}

),

final as (

    select
        prediction_name,
        profile_id,
        propensity_type,
        probability,
        score,
        percentile,
        bucket,
        model_run_id,
        scored_at,
        as_of_date
    from scores

)

select * from final
