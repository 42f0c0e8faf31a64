{{ config(**customer_ai_per_snapshot_incremental_config()) }}
/*
    The features computed from a profile's whole history up to the snapshot: value and first/last-seen recency. One
    row per profile and snapshot for every profile seen on or before it: this model is the population the other
    feature models join onto. Each column documented with a label in _features__models.yml is a feature.

    Incremental on DuckDB: a run computes only the snapshot dates whose inputs changed (a new scoring date, the
    dates after a late event) and keeps the others: macros/features/snapshot_incremental.sql.
*/
{%- set inputs = ['activity'] -%}
{%- set kept = customer_ai_kept_snapshot_dates(inputs) %}

with

lifetime_activity as (

    {{ customer_ai_kept_snapshots_record(kept) }}
    select * from {{ ref('int_profile_activities_accumulated_to_snapshots') }}
    {{ customer_ai_where_not_kept(kept) }}

),

features as (

    select
        profile_id,
        snapshot_date,
        sum(case when activity = 'commerce.purchases' then events_total else 0 end) as orders_to_date,
        round(coalesce(sum(case when activity = 'commerce.purchases' then revenue_total end), 0), 2)
            as revenue_to_date,
        round(sum(case when activity = 'commerce.purchases' then revenue_total end), 2)
        / nullif(sum(case when activity = 'commerce.purchases' then events_total end), 0) as average_order_value,
        max(case when activity = 'commerce.purchases' then first_days_before end) as days_since_first_purchase,
        max(first_days_before) as tenure_days,
        min(case when {{ customer_ai_is_interaction('activity') }} then last_days_before end)
            as days_since_last_interaction
    from lifetime_activity
    group by profile_id, snapshot_date

),

final as (

    -- each row records what it was computed from: the next run keeps it while that stays the same
    {{ customer_ai_with_inputs_fingerprint('features', kept, inputs) }}

)

select * from final
