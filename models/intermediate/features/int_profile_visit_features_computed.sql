{{ config(**customer_ai_per_snapshot_incremental_config()) }}
/*
    The features computed from visits (sessions): visits in the last 30 and 90 days, their average length, the
    days since the last visit and the visit trend. One row per profile and snapshot with a visit on or before it.
    The last visit date is accumulated per snapshot interval as in int_profile_activities_accumulated_to_snapshots.
    Each column documented with a label in _features__models.yml is a feature.

    Incremental on DuckDB: a run computes only the snapshot dates whose inputs changed (a new scoring date, the
    dates after a late event) and keeps the others: macros/features/snapshot_incremental.sql.
*/
{%- set inputs = ['activity', 'sessions'] -%}
{%- set kept = customer_ai_kept_snapshot_dates(inputs) %}

with

snapshot_dates as (

    {{ customer_ai_kept_snapshots_record(kept) }}
    {{ customer_ai_snapshot_windows(kept) }}

),

sessions as (

    select * from {{ ref('int_sessions_aggregated') }}

),

recent_sessions as (

    select
        sessions.profile_id,
        snapshot_dates.snapshot_date,
        sum(case when sessions.session_date > snapshot_dates.window_30d_start_date then 1 else 0 end) as sessions_30d,
        count(*) as sessions_90d,
        sum(sessions.duration_seconds) as duration_seconds_90d,
        count(sessions.duration_seconds) as timed_sessions_90d
    from sessions
    inner join snapshot_dates
        on sessions.session_date <= snapshot_dates.snapshot_date
        and sessions.session_date > snapshot_dates.window_90d_start_date
    group by sessions.profile_id, snapshot_dates.snapshot_date

),

session_intervals as (

    select
        sessions.profile_id,
        snapshot_dates.snapshot_date as interval_end_date,
        max(sessions.session_date) as last_session_date
    from sessions
    inner join snapshot_dates
        on sessions.session_date <= snapshot_dates.snapshot_date
        and (snapshot_dates.previous_snapshot_date is null
            or sessions.session_date > snapshot_dates.previous_snapshot_date)
    group by sessions.profile_id, snapshot_dates.snapshot_date

),

lifetime_sessions as (

    select
        session_intervals.profile_id,
        snapshot_dates.snapshot_date,
        {{ customer_ai_days_between('max(session_intervals.last_session_date)', 'snapshot_dates.snapshot_date') }}
            as last_days_before
    from session_intervals
    inner join snapshot_dates
        on session_intervals.interval_end_date <= snapshot_dates.snapshot_date
    group by session_intervals.profile_id, snapshot_dates.snapshot_date

),

session_windows as (

    select
        profile_id,
        snapshot_date,
        sessions_30d,
        sessions_90d,
        duration_seconds_90d,
        timed_sessions_90d,
        cast(null as integer) as last_days_before
    from recent_sessions
    union all
    select
        profile_id,
        snapshot_date,
        0 as sessions_30d,
        0 as sessions_90d,
        cast(null as bigint) as duration_seconds_90d,
        0 as timed_sessions_90d,
        last_days_before
    from lifetime_sessions

),

totals as (

    select
        profile_id,
        snapshot_date,
        sum(sessions_30d) as sessions_30d,
        sum(sessions_90d) as sessions_90d,
        sum(duration_seconds_90d) as duration_seconds_90d,
        sum(timed_sessions_90d) as timed_sessions_90d,
        min(last_days_before) as days_since_last_session
    from session_windows
    group by profile_id, snapshot_date

),

features as (

    select
        profile_id,
        snapshot_date,
        sessions_30d,
        sessions_90d,
        {{ customer_ai_ratio('duration_seconds_90d', 'timed_sessions_90d') }} as average_session_seconds_90d,
        days_since_last_session,
        {{ customer_ai_ratio('sessions_30d', 'sessions_90d', 3) }} as session_trend_30d_vs_90d
    from totals

),

final as (

    -- each row records what it was computed from: the next run keeps it while that stays the same
    {{ customer_ai_with_inputs_fingerprint('features', kept, inputs) }}

)

select * from final
