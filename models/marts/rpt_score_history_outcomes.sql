{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns',
        **customer_ai_dated_history_config(['prediction_name', 'as_of_date'])
    )
}}
/*
    Real evidence, build after build: the scores kept in fct_propensity_score_history, once their outcome windows
    have closed, against what then happened. One row per (prediction, scoring date): profiles, AUC with a 95 %
    interval, log loss, Brier score, mean predicted probability and the actual rate. Incremental: each date is
    measured once, in the first build after its window closes (int_snapshot_dates_scheduled labels it then).
*/

with

history as (

    select * from {{ ref('fct_propensity_score_history') }}

),

labels as (

    select * from {{ ref('int_prediction_snapshots_labeled') }}
    where snapshot_kind <> 'scoring'

),

outcomes as (

    -- every kept score of a date whose outcome window has closed, with what happened; a profile that is gone from
    -- the events since (erased) has no label and is left out
    select
        history.prediction_name,
        history.as_of_date,
        history.bucket,
        history.probability,
        labels.label
    from history
    inner join labels
        on history.prediction_name = labels.prediction_name
        and history.profile_id = labels.profile_id
        and history.as_of_date = labels.snapshot_date
    {%- if is_incremental() %}
    where {{ dbt.concat(['history.prediction_name', "'|'", 'cast(history.as_of_date as ' ~ dbt.type_string() ~ ')']) }} not in (
        select {{ dbt.concat(['prediction_name', "'|'", 'cast(as_of_date as ' ~ dbt.type_string() ~ ')']) }} from {{ this }}
    )
    {%- endif %}

),

measured as (

    {{ customer_ai_outcome_measures('outcomes', ['prediction_name', 'as_of_date'], extra=[
        customer_ai_ratio("sum(case when bucket = 'high' then label else 0 end)",
            "sum(case when bucket = 'high' then 1 else 0 end)") ~ ' as high_bucket_actual_rate',
        customer_ai_ratio("sum(case when bucket = 'low' then label else 0 end)",
            "sum(case when bucket = 'low' then 1 else 0 end)") ~ ' as low_bucket_actual_rate']) }}

),

final as (

    select
        cast(profiles as bigint) as profiles,
        cast(positives as bigint) as positives,
        auc,
        {{ customer_ai_auc_bound('auc', 'positives', 'negatives', 'lower') }} as auc_lower_95,
        {{ customer_ai_auc_bound('auc', 'positives', 'negatives', 'upper') }} as auc_upper_95,
        log_loss,
        brier,
        mean_predicted_probability,
        {{ customer_ai_ratio('positives', 'profiles') }} as actual_rate,
        high_bucket_actual_rate,
        low_bucket_actual_rate,
        prediction_name,
        as_of_date
    from measured

)

select * from final
