{{ config(**customer_ai_per_snapshot_incremental_config()) }}
/*
    The recent half of the point-in-time features: per profile, snapshot and activity, the events of the last N days
    before the snapshot (the snapshot day included) for each feature window N (customer_ai_feature_windows: 7, 30,
    90) and the revenue of the longest. Only the days of the longest window before each snapshot are joined to it,
    not the whole history. Totals since the first event are in int_profile_activities_accumulated_to_snapshots.

    Incremental on DuckDB: a run computes only the snapshot dates whose daily activity changed (a new scoring date,
    the dates after a late event) and keeps the others: macros/features/snapshot_incremental.sql.
*/
{%- set inputs = ['activity'] -%}
{%- set kept = customer_ai_kept_snapshot_dates(inputs) %}
{%- set windows = customer_ai_feature_windows() -%}

with

snapshot_dates as (

    {{ customer_ai_kept_snapshots_record(kept) }}
    {{ customer_ai_snapshot_windows(kept) }}

),

activities as (

    select * from {{ ref('int_profile_activities_aggregated_to_days') }}

),

activity_numbers as (

    -- the group-by below is on numbers, the names are joined back after it (macros/features/activity_numbers.sql)
    {{ customer_ai_activity_numbers([ref('int_profile_activities_aggregated_to_days')]) }}

),

recent_days as (

    select
        activities.profile_id,
        snapshot_dates.snapshot_date,
        activity_numbers.activity_number,
        activities.event_count,
        activities.revenue,
        {{ customer_ai_days_between('activities.activity_date', 'snapshot_dates.snapshot_date') }} as days_before
    from activities
    inner join activity_numbers
        on activities.activity = activity_numbers.activity
    inner join snapshot_dates
        on activities.activity_date <= snapshot_dates.snapshot_date
        and activities.activity_date > snapshot_dates.window_{{ windows[-1] }}d_start_date

),

windowed_by_number as (

    select
        profile_id,
        snapshot_date,
        activity_number,
        {%- for days in windows %}
        {%- if loop.last %}
        cast(sum(event_count) as bigint) as events_{{ days }}d,  -- every joined day is in the longest window
        {%- else %}
        cast(sum(case when days_before < {{ days }} then event_count else 0 end) as bigint) as events_{{ days }}d,
        {%- endif %}
        {%- endfor %}
        round(sum(revenue), 2) as revenue_{{ windows[-1] }}d  -- rounded to the cent: exact across runs (see activities)
    from recent_days
    group by profile_id, snapshot_date, activity_number

),

windowed as (

    select
        windowed_by_number.profile_id,
        windowed_by_number.snapshot_date,
        activity_numbers.activity,
        {%- for days in windows %}
        windowed_by_number.events_{{ days }}d,
        {%- endfor %}
        windowed_by_number.revenue_{{ windows[-1] }}d
    from windowed_by_number
    inner join activity_numbers
        on windowed_by_number.activity_number = activity_numbers.activity_number

),

final as (

    -- each row records what it was computed from: the next run keeps it while that stays the same
    {{ customer_ai_with_inputs_fingerprint('windowed', kept, inputs) }}

)

select * from final
