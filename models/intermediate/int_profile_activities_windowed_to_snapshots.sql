{#-
    The recent half of the point-in-time features: per profile, snapshot and activity, the events of the last 7, 30
    and 90 days before the snapshot (the snapshot day included) and the revenue of the last 90. Only the 90 days
    before each snapshot are joined to it, not the whole history. Totals since the first event are in
    int_profile_activities_accumulated_to_snapshots.
-#}

with

snapshot_dates as (

    {{ customer_ai_snapshot_windows() }}

),

activities as (

    select * from {{ ref('int_profile_activities_aggregated_to_days') }}

),

recent_days as (

    select
        activities.profile_id,
        snapshot_dates.snapshot_date,
        activities.activity,
        activities.event_count,
        activities.revenue,
        {{ customer_ai_days_between('activities.activity_date', 'snapshot_dates.snapshot_date') }} as days_before
    from activities
    inner join snapshot_dates
        on activities.activity_date <= snapshot_dates.snapshot_date
        and activities.activity_date > snapshot_dates.window_90d_start_date

),

final as (

    select
        profile_id,
        snapshot_date,
        activity,
        cast(sum(case when days_before < 7 then event_count else 0 end) as bigint) as events_7d,
        cast(sum(case when days_before < 30 then event_count else 0 end) as bigint) as events_30d,
        cast(sum(event_count) as bigint) as events_90d,
        round(sum(revenue), 2) as revenue_90d  -- rounded to the cent: exact across runs (see activities)
    from recent_days
    group by profile_id, snapshot_date, activity

)

select * from final
