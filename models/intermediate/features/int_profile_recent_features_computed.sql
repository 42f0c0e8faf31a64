{{ config(**customer_ai_per_snapshot_incremental_config()) }}
/*
    The features computed from the last 30 and 90 days before the snapshot: revenue, interactions, active days,
    their trend and email response. One row per profile and snapshot with activity in the last 90 days. Each column
    documented with a label in _features__models.yml is a feature.

    Incremental on DuckDB: a run computes only the snapshot dates whose inputs changed (a new scoring date, the
    dates after a late event) and keeps the others: macros/features/snapshot_incremental.sql.
*/
{%- set inputs = ['activity'] -%}
{%- set kept = customer_ai_kept_snapshot_dates(inputs) %}

with

snapshot_dates as (

    {{ customer_ai_kept_snapshots_record(kept) }}
    {{ customer_ai_snapshot_windows(kept) }}

),

recent_activity as (

    select * from {{ ref('int_profile_activities_windowed_to_snapshots') }}
    {{ customer_ai_where_not_kept(kept) }}

),

activities as (

    select * from {{ ref('int_profile_activities_aggregated_to_days') }}

),

active_days as (

    select
        activities.profile_id,
        snapshot_dates.snapshot_date,
        count(distinct activities.activity_date) as active_days_30d
    from activities
    inner join snapshot_dates
        on activities.activity_date <= snapshot_dates.snapshot_date
        and activities.activity_date > snapshot_dates.window_30d_start_date
    where {{ customer_ai_is_interaction('activities.activity') }}
    group by activities.profile_id, snapshot_dates.snapshot_date

),

totals as (

    select
        recent_activity.profile_id,
        recent_activity.snapshot_date,
        round(coalesce(sum(case when recent_activity.activity = 'commerce.purchases'
            then recent_activity.revenue_90d end), 0), 2) as revenue_90d,
        sum(case when {{ customer_ai_is_interaction('recent_activity.activity') }}
            then recent_activity.events_30d else 0 end) as interactions_30d,
        sum(case when {{ customer_ai_is_interaction('recent_activity.activity') }}
            then recent_activity.events_90d else 0 end) as interactions_90d,
        coalesce(max(active_days.active_days_30d), 0) as active_days_30d,
        sum(case when recent_activity.activity = 'directMarketing.emailSent'
            then recent_activity.events_90d else 0 end) as emails_sent_90d,
        sum(case when recent_activity.activity = 'directMarketing.emailOpened'
            then recent_activity.events_90d else 0 end) as emails_opened_90d,
        sum(case when recent_activity.activity = 'directMarketing.emailClicked'
            then recent_activity.events_90d else 0 end) as emails_clicked_90d
    from recent_activity
    left join active_days
        on recent_activity.profile_id = active_days.profile_id
        and recent_activity.snapshot_date = active_days.snapshot_date
    group by recent_activity.profile_id, recent_activity.snapshot_date

),

features as (

    select
        profile_id,
        snapshot_date,
        revenue_90d,
        interactions_30d,
        interactions_90d,
        active_days_30d,
        {{ customer_ai_ratio('interactions_30d', 'interactions_90d', 3) }} as interaction_trend_30d_vs_90d,
        {{ customer_ai_ratio('emails_opened_90d', 'emails_sent_90d') }} as email_open_rate_90d,
        {{ customer_ai_ratio('emails_clicked_90d', 'emails_sent_90d') }} as email_click_rate_90d
    from totals

),

final as (

    -- each row records what it was computed from: the next run keeps it while that stays the same
    {{ customer_ai_with_inputs_fingerprint('features', kept, inputs) }}

)

select * from final
