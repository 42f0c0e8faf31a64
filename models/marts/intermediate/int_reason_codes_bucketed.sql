{{ config(materialized='view') }}
/*
    The reason codes of the profiles in the buckets that get reason-code segments
    (customer_ai__reason_segment_buckets), with the bucket: what ml_reason_segments_assigned groups.
*/

with

scores as (

    select * from {{ ref('fct_propensity_scores') }}
    where bucket in {{ customer_ai_literal_list(var('customer_ai__reason_segment_buckets')) }}

),

reason_codes as (

    select * from {{ ref('fct_reason_codes') }}

),

final as (

    select
        scores.prediction_name,
        scores.bucket,
        scores.profile_id,
        reason_codes.factor_rank,
        reason_codes.factor_code,
        reason_codes.factor_label,
        reason_codes.contribution
    from scores
    inner join reason_codes
        on scores.profile_id = reason_codes.profile_id
        and scores.prediction_name = reason_codes.prediction_name

)

select * from final
