/*
    One enriched row per profile seen in the events: first and last seen, for each configured prediction its
    probability, score, percentile, bucket and top reason (columns generated from the configuration), lifetime
    value and value tier, and the segments the profile belongs to.
*/
{%- set predictions = customer_ai_predictions() -%}

with

events as (

    select * from {{ ref('stg_experience_events') }}

),

scores as (

    select * from {{ ref('fct_propensity_scores') }}

),

leading_reasons as (

    select * from {{ ref('fct_reason_codes') }}
    where factor_rank = 1

),

lifetime_values as (

    select * from {{ ref('fct_customer_lifetime_value') }}

),

tiers as (

    select * from {{ ref('int_profile_value_tiers_assigned') }}

),

memberships as (

    select * from {{ ref('fct_segment_memberships') }}

),

profiles as (

    select
        profile_id,
        min(event_at) as first_seen_at,
        max(event_at) as last_seen_at,
        count(*) as events
    from events
    group by profile_id

),

scores_wide as (

    select
        scores.profile_id
        {%- for p in predictions %}
        {%- set lit = customer_ai_literal(p.name) %},
        max(case when scores.prediction_name = {{ lit }} then scores.probability end) as {{ p.name }}_probability,
        max(case when scores.prediction_name = {{ lit }} then scores.score end) as {{ p.name }}_score,
        max(case when scores.prediction_name = {{ lit }} then scores.percentile end) as {{ p.name }}_percentile,
        max(case when scores.prediction_name = {{ lit }} then scores.bucket end) as {{ p.name }}_bucket,
        max(case when scores.prediction_name = {{ lit }} then leading_reasons.factor_label end) as {{ p.name }}_top_reason
        {%- endfor %}
    from scores
    left join leading_reasons
        on scores.profile_id = leading_reasons.profile_id
        and scores.prediction_name = leading_reasons.prediction_name
    group by scores.profile_id

),

segment_lists as (

    select
        profile_id,
        count(*) as segment_count,
        {{ customer_ai_sorted_string_agg('segment_id', ',') }} as segment_ids
    from memberships
    group by profile_id

),

final as (

    select
        profiles.profile_id,
        profiles.first_seen_at,
        profiles.last_seen_at,
        profiles.events
        {%- for p in predictions %},
        scores_wide.{{ p.name }}_probability,
        scores_wide.{{ p.name }}_score,
        scores_wide.{{ p.name }}_percentile,
        scores_wide.{{ p.name }}_bucket,
        scores_wide.{{ p.name }}_top_reason
        {%- endfor %},
        coalesce(lifetime_values.purchases, 0) as purchases,
        coalesce(lifetime_values.historic_value, 0) as historic_value,
        lifetime_values.probability_alive,
        lifetime_values.probability_purchase_next_90d,
        lifetime_values.predicted_clv,
        tiers.value_tier,
        coalesce(segment_lists.segment_count, 0) as segment_count,
        segment_lists.segment_ids
    from profiles
    left join scores_wide
        on profiles.profile_id = scores_wide.profile_id
    left join lifetime_values
        on profiles.profile_id = lifetime_values.profile_id
    left join tiers
        on profiles.profile_id = tiers.profile_id
    left join segment_lists
        on profiles.profile_id = segment_lists.profile_id

)

select * from final
