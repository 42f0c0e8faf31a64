{{ config(materialized='view') }}
/*
    The profiles each backtest scores: eligible at the backtest date, with their features then and the label of
    what happened in the outcome window after it. A view: the backtest step reads it once, batch by batch.
*/

with

backtest_dates as (

    select * from {{ ref('int_backtest_snapshots_assigned') }}
    where snapshot_role = 'evaluation'

),

labels as (

    select * from {{ ref('int_prediction_snapshots_labeled') }}
    where snapshot_kind <> 'scoring'
        and is_eligible

),

features as (

    select * from {{ ref('int_profile_snapshots_featurized') }}

),

final as (

    select
        backtest_dates.backtest_date,
        labels.prediction_name,
        labels.propensity_type,
        labels.label,
        {{ customer_ai_feature_columns('features') | indent(8) }}
    from labels
    inner join backtest_dates
        on labels.prediction_name = backtest_dates.prediction_name
        and labels.snapshot_date = backtest_dates.snapshot_date
    inner join features
        on labels.profile_id = features.profile_id
        and labels.snapshot_date = features.snapshot_date

)

select * from final
