/*
    The profiles to score: eligible at the scoring snapshot (the as-of date), with their features.
*/

with

labels as (

    select * from {{ ref('int_prediction_snapshots_labeled') }}
    where snapshot_kind = 'scoring'
        and is_eligible

),

features as (

    select * from {{ ref('int_profile_snapshots_featurized') }}

),

final as (

    select
        labels.prediction_name,
        labels.propensity_type,
        {{ customer_ai_feature_columns('features') | indent(8) }}
    from labels
    inner join features
        on labels.profile_id = features.profile_id
        and labels.snapshot_date = features.snapshot_date

)

select * from final
