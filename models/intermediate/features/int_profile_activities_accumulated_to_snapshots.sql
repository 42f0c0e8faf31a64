{{ config(**customer_ai_per_snapshot_incremental_config()) }}
/*
    The lifetime half of the point-in-time features: per profile, snapshot and activity, every event on or before
    the snapshot: count, revenue, and the days since the first and the last. Joining the whole history to every
    snapshot would copy each day once per later snapshot; instead each day is counted once, in the interval
    (previous snapshot, snapshot] it falls in, and a snapshot adds up the intervals up to it. Days after the last
    snapshot are not needed. The recent windows are in int_profile_activities_windowed_to_snapshots.

    Incremental on DuckDB: a run computes only the snapshot dates whose daily activity changed (a new scoring date,
    the dates after a late event) and keeps the others: macros/features/snapshot_incremental.sql.
*/
{%- set inputs = ['activity'] -%}
{%- set kept = customer_ai_kept_snapshot_dates(inputs) %}

with

snapshot_dates as (

    {{ customer_ai_kept_snapshots_record(kept) }}
    {{ customer_ai_snapshot_windows(kept) }}

),

activities as (

    select * from {{ ref('int_profile_activities_aggregated_to_days') }}

),

intervals as (

    select
        activities.profile_id,
        activities.activity,
        snapshot_dates.snapshot_date as interval_end_date,
        sum(activities.event_count) as event_count,
        round(sum(activities.revenue), 2) as revenue,  -- rounded to the cent: exact across runs (see activities)
        min(activities.activity_date) as first_activity_date,
        max(activities.activity_date) as last_activity_date
    from activities
    inner join snapshot_dates
        on activities.activity_date <= snapshot_dates.snapshot_date
        and (snapshot_dates.previous_snapshot_date is null
            or activities.activity_date > snapshot_dates.previous_snapshot_date)
    group by activities.profile_id, activities.activity, snapshot_dates.snapshot_date

),

accumulated as (

    select
        intervals.profile_id,
        snapshot_dates.snapshot_date,
        intervals.activity,
        cast(sum(intervals.event_count) as bigint) as events_total,
        round(sum(intervals.revenue), 2) as revenue_total,
        {{ customer_ai_days_between('min(intervals.first_activity_date)', 'snapshot_dates.snapshot_date') }}
            as first_days_before,
        {{ customer_ai_days_between('max(intervals.last_activity_date)', 'snapshot_dates.snapshot_date') }}
            as last_days_before
    from intervals
    inner join snapshot_dates
        on intervals.interval_end_date <= snapshot_dates.snapshot_date
    group by intervals.profile_id, snapshot_dates.snapshot_date, intervals.activity

),

final as (

    -- each row records what it was computed from: the next run keeps it while that stays the same
    {{ customer_ai_with_inputs_fingerprint('accumulated', kept, inputs) }}

)

select * from final
