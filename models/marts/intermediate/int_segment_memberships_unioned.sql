/*
    Every segment membership with the segment's id, name, kind and definition in words. The segments are
    generated from the configured predictions (customer_ai_static_segments, which writes their ids), never
    hand-listed, and their ids are built from the prediction name, the bucket and the factor codes, so they stay the
    same from build to build.

    Kinds: propensity_bucket (one per prediction and bucket); reason_code (the profiles of a bucket grouped by
    their whole explanation and named by the factors that set each group apart: ml_reason_segments_assigned,
    customer_ai/segments.py); value_tier (top / middle / base by predicted CLV); combined (high value at risk for churn
    predictions, likely high-value converters for conversion predictions: high bucket and top value tier).
*/

with

scores as (

    select * from {{ ref('fct_propensity_scores') }}

),

reason_assignments as (

    select * from {{ ref('ml_reason_segments_assigned') }}

),

tiers as (

    select * from {{ ref('int_profile_value_tiers_assigned') }}

),

static_segments as (

    {{ customer_ai_static_segments_sql() }}

),

bucket_members as (

    select
        static_segments.segment_id,
        scores.profile_id,
        scores.probability,
        scores.score,
        tiers.predicted_clv,
        scores.probability as rank_value
    from scores
    inner join static_segments
        on static_segments.segment_kind = 'propensity_bucket'
        and scores.prediction_name = static_segments.prediction_name
        and scores.bucket = static_segments.bucket
    left join tiers
        on scores.profile_id = tiers.profile_id

),

reason_segments as (

    select distinct
        segment_id,
        segment_name,
        'reason_code' as segment_kind,
        prediction_name,
        segment_definition
    from reason_assignments

),

reason_members as (

    select
        reason_assignments.segment_id,
        reason_assignments.profile_id,
        scores.probability,
        scores.score,
        tiers.predicted_clv,
        scores.probability as rank_value
    from reason_assignments
    inner join scores
        on reason_assignments.profile_id = scores.profile_id
        and reason_assignments.prediction_name = scores.prediction_name
    left join tiers
        on reason_assignments.profile_id = tiers.profile_id

),

tier_members as (

    select
        static_segments.segment_id,
        tiers.profile_id,
        cast(null as {{ customer_ai_type_double() }}) as probability,
        cast(null as integer) as score,
        tiers.predicted_clv,
        tiers.value_basis as rank_value
    from tiers
    inner join static_segments
        on static_segments.segment_kind = 'value_tier'
        and tiers.value_tier = static_segments.value_tier

),

combined_members as (

    select
        static_segments.segment_id,
        scores.profile_id,
        scores.probability,
        scores.score,
        tiers.predicted_clv,
        -- expected value at stake first
        scores.probability * tiers.value_basis as rank_value
    from scores
    inner join tiers
        on scores.profile_id = tiers.profile_id
    inner join static_segments
        on static_segments.segment_kind = 'combined'
        and scores.prediction_name = static_segments.prediction_name
        and scores.bucket = static_segments.bucket
        and tiers.value_tier = static_segments.value_tier

),

segments as (

    select
        segment_id,
        segment_name,
        segment_kind,
        prediction_name,
        segment_definition
    from static_segments
    union all
    select * from reason_segments

),

members as (

    select * from bucket_members
    union all
    select * from reason_members
    union all
    select * from tier_members
    union all
    select * from combined_members

),

final as (

    select
        segments.segment_id,
        segments.segment_name,
        segments.segment_kind,
        segments.prediction_name,
        segments.segment_definition,
        members.profile_id,
        members.probability,
        members.score,
        members.predicted_clv,
        members.rank_value
    from segments
    left join members
        on segments.segment_id = members.segment_id

)

select * from final
