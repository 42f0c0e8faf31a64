{{ config(**customer_ai_per_snapshot_incremental_config()) }}
/*
    The lifetime half of the point-in-time features: per profile, snapshot and activity, every event on or before
    the snapshot: count, revenue, and the days since the first and the last. Joining the whole history to every
    snapshot would copy each day once per later snapshot; instead each day is counted once, in the interval
    (previous snapshot, snapshot] it falls in, and a snapshot adds up the intervals up to it. Days after the last
    snapshot are not needed. The recent windows are in int_profile_activities_windowed_to_snapshots.

    Incremental on DuckDB: a run computes only the snapshot dates whose daily activity changed (a new scoring date,
    the dates after a late event) and keeps the others: macros/features/snapshot_incremental.sql. A computed date
    starts from the totals of the latest date before it whose stored rows are still right, and adds the days
    since: a kept date, or a date no longer scheduled whose inputs did not change (yesterday's scoring date, which
    the run deletes afterwards), so a daily run reads the one new day, not the whole history again.
*/
{%- set inputs = ['activity'] -%}
{%- set stored = customer_ai_kept_and_reusable_snapshot_dates(inputs) %}
{%- set kept, reusable = stored['kept'], stored['reusable'] %}
{%- set starting_points = kept + reusable %}

with

snapshot_dates as (

    -- every feature snapshot date, kept or not, and the reusable ones, with the date before it; a date computed
    -- now starts from the latest kept or reusable date before it (base_snapshot_date, null when there is none)
    {{ customer_ai_kept_snapshots_record(kept) }}
    select
        snapshot_date,
        previous_snapshot_date,
        is_stored,
        max(case when is_stored then snapshot_date end) over (
            order by snapshot_date rows between unbounded preceding and 1 preceding
        ) as base_snapshot_date
    from (
        select
            snapshot_date,
            lag(snapshot_date) over (order by snapshot_date) as previous_snapshot_date,
            {{ customer_ai_in_dates('snapshot_date', starting_points) }} as is_stored
        from (
            select snapshot_date from {{ customer_ai_feature_snapshot_dates() | indent(12) }}
            {%- for day in reusable %}
            union all
            select {{ customer_ai_date_literal(day) }} as snapshot_date
            {%- endfor %}
        ) as feature_and_reusable_dates
    ) as feature_snapshot_dates

),

computed_dates as (

    select * from snapshot_dates
    where not is_stored

),

activities as (

    select * from {{ ref('int_profile_activities_aggregated_to_days') }}

),

activity_numbers as (

    -- the group-bys below are on numbers, the names are joined back after them (macros/features/activity_numbers.sql)
    {{ customer_ai_activity_numbers(
        [ref('int_profile_activities_aggregated_to_days')] + ([this] if starting_points else [])) }}

),

intervals as (

    -- the days of each computed date's interval (previous snapshot, snapshot]: from the latest kept or reusable
    -- date on, a computed date's interval totals and that date's totals add up to its own
    select
        activities.profile_id,
        activity_numbers.activity_number,
        computed_dates.snapshot_date as interval_end_date,
        sum(activities.event_count) as event_count,
        round(sum(activities.revenue), 2) as revenue,  -- rounded to the cent: exact across runs (see activities)
        min(activities.activity_date) as first_activity_date,
        max(activities.activity_date) as last_activity_date
    from activities
    inner join activity_numbers
        on activities.activity = activity_numbers.activity
    inner join computed_dates
        on activities.activity_date <= computed_dates.snapshot_date
        and (computed_dates.previous_snapshot_date is null
            or activities.activity_date > computed_dates.previous_snapshot_date)
    group by activities.profile_id, activity_numbers.activity_number, computed_dates.snapshot_date
    {%- if starting_points %}

    union all

    -- the totals of the kept or reusable dates that computed dates start from, as one interval ending on that date
    select
        kept_totals.profile_id,
        activity_numbers.activity_number,
        kept_totals.snapshot_date as interval_end_date,
        kept_totals.events_total as event_count,
        kept_totals.revenue_total as revenue,
        cast({{ dbt.dateadd('day', '-kept_totals.first_days_before', 'kept_totals.snapshot_date') }} as date)
            as first_activity_date,
        cast({{ dbt.dateadd('day', '-kept_totals.last_days_before', 'kept_totals.snapshot_date') }} as date)
            as last_activity_date
    from {{ this }} as kept_totals
    inner join activity_numbers
        on kept_totals.activity = activity_numbers.activity
    where kept_totals.snapshot_date in (select computed_dates.base_snapshot_date from computed_dates)
    {%- endif %}

),

accumulated_by_number as (

    select
        intervals.profile_id,
        computed_dates.snapshot_date,
        intervals.activity_number,
        cast(sum(intervals.event_count) as bigint) as events_total,
        round(sum(intervals.revenue), 2) as revenue_total,
        {{ customer_ai_days_between('min(intervals.first_activity_date)', 'computed_dates.snapshot_date') }}
            as first_days_before,
        {{ customer_ai_days_between('max(intervals.last_activity_date)', 'computed_dates.snapshot_date') }}
            as last_days_before
    from intervals
    inner join computed_dates
        on intervals.interval_end_date <= computed_dates.snapshot_date
        and (computed_dates.base_snapshot_date is null
            or intervals.interval_end_date >= computed_dates.base_snapshot_date)
    group by intervals.profile_id, computed_dates.snapshot_date, intervals.activity_number

),

accumulated as (

    select
        accumulated_by_number.profile_id,
        accumulated_by_number.snapshot_date,
        activity_numbers.activity,
        accumulated_by_number.events_total,
        accumulated_by_number.revenue_total,
        accumulated_by_number.first_days_before,
        accumulated_by_number.last_days_before
    from accumulated_by_number
    inner join activity_numbers
        on accumulated_by_number.activity_number = activity_numbers.activity_number

),

final as (

    -- each row records what it was computed from: the next run keeps it while that stays the same
    {{ customer_ai_with_inputs_fingerprint('accumulated', kept, inputs) }}

)

select * from final
