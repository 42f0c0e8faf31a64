{#-
    Every segment membership with the segment's id, name, kind and definition in words. The segments are
    generated from the configured predictions (customer_ai_static_segments), never hand-listed, and their ids are
    built from the prediction name, the bucket and the factor code, so they stay the same from build to build.

    Kinds: propensity_bucket (one per prediction and bucket); reason_code (high-bucket profiles by their leading
    reason: one segment per reason with at least customer_ai__segment_min_size profiles, the rest in "other
    reasons"); value_tier (top / middle / base by predicted CLV); combined (high value at risk for churn
    predictions, likely high-value converters for conversion predictions: high bucket and top value tier).
-#}
{%- set min_size = var('customer_ai__segment_min_size') -%}

with

scores as (

    select * from {{ ref('fct_propensity_scores') }}

),

leading_reasons as (

    select * from {{ ref('fct_reason_codes') }}
    where factor_rank = 1

),

tiers as (

    select * from {{ ref('int_profile_value_tiers_assigned') }}

),

static_segments as (

    {{ customer_ai_static_segments_sql() }}

),

bucket_members as (

    select
        {{ dbt.concat(['scores.prediction_name', "'__bucket_'", 'scores.bucket']) }} as segment_id,
        scores.profile_id,
        scores.probability,
        scores.score,
        tiers.predicted_clv,
        scores.probability as rank_value
    from scores
    left join tiers
        on scores.profile_id = tiers.profile_id

),

high_leading as (

    select
        scores.prediction_name,
        scores.propensity_type,
        scores.profile_id,
        scores.probability,
        scores.score,
        leading_reasons.factor_code,
        leading_reasons.factor_label,
        count(*) over (partition by scores.prediction_name, leading_reasons.factor_code) as reason_profiles
    from scores
    inner join leading_reasons
        on scores.profile_id = leading_reasons.profile_id
        and scores.prediction_name = leading_reasons.prediction_name
    where scores.bucket = 'high'

),

reason_segments as (

    -- one segment per leading reason shared by enough high-bucket profiles
    select distinct
        {{ dbt.concat(['prediction_name', "'__high__reason__'", 'factor_code']) }} as segment_id,
        {{ dbt.concat(['prediction_name', "': '",
            "case when propensity_type = 'churn' then 'likely to churn' else 'likely to convert' end",
            "', driven by '", 'lower(factor_label)']) }} as segment_name,
        'reason_code' as segment_kind,
        prediction_name,
        {{ dbt.concat(["'High-bucket profiles of '", 'prediction_name', "' whose strongest reason is: '",
            'factor_label', "'.'"]) }} as segment_definition
    from high_leading
    where reason_profiles >= {{ min_size }}

),

reason_members as (

    select
        case
            when reason_profiles >= {{ min_size }}
                then {{ dbt.concat(['prediction_name', "'__high__reason__'", 'factor_code']) }}
            else {{ dbt.concat(['prediction_name', "'__high__reason__other'"]) }}
        end as segment_id,
        high_leading.profile_id,
        high_leading.probability,
        high_leading.score,
        tiers.predicted_clv,
        high_leading.probability as rank_value
    from high_leading
    left join tiers
        on high_leading.profile_id = tiers.profile_id

),

tier_members as (

    select
        {{ dbt.concat(["'value_tier__'", 'value_tier']) }} as segment_id,
        profile_id,
        cast(null as {{ customer_ai_type_double() }}) as probability,
        cast(null as integer) as score,
        predicted_clv,
        value_basis as rank_value
    from tiers

),

combined_members as (

    select
        case
            when scores.propensity_type = 'churn'
                then {{ dbt.concat(['scores.prediction_name', "'__high_value_at_risk'"]) }}
            else {{ dbt.concat(['scores.prediction_name', "'__likely_high_value_converters'"]) }}
        end as segment_id,
        scores.profile_id,
        scores.probability,
        scores.score,
        tiers.predicted_clv,
        -- expected value at stake first
        scores.probability * tiers.value_basis as rank_value
    from scores
    inner join tiers
        on scores.profile_id = tiers.profile_id
    where scores.bucket = 'high'
        and tiers.value_tier = 'top'

),

segments as (

    select * from static_segments
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
