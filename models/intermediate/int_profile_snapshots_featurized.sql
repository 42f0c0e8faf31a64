{#-
    Point-in-time features: one row per (profile, snapshot date) for every profile seen on or before the snapshot,
    computed only from events dated on or before it (days_before >= 0). Labels look at the days after the snapshot,
    features never do. The feature list is generated from the configuration (customer_ai_feature_catalog).
-#}
{%- set catalog = customer_ai_feature_catalog() -%}

with

snapshot_dates as (

    select distinct snapshot_date from {{ ref('int_snapshot_dates_scheduled') }}

),

activities as (

    select * from {{ ref('int_profile_activities_aggregated_to_days') }}

),

sessions as (

    select * from {{ ref('int_sessions_aggregated') }}

),

attributes as (

    select * from {{ ref('stg_profile_attributes') }}

),

history as (

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

),

session_history as (

    select
        sessions.profile_id,
        snapshot_dates.snapshot_date,
        sessions.duration_seconds,
        {{ customer_ai_days_between('sessions.session_date', 'snapshot_dates.snapshot_date') }} as days_before
    from sessions
    inner join snapshot_dates
        on sessions.session_date <= snapshot_dates.snapshot_date

),

activity_windows as (

    -- step 1: the big join reduced to one row per profile, snapshot and activity, with a few fixed aggregates
    select
        profile_id,
        snapshot_date,
        activity,
        sum(case when days_before < 7 then event_count else 0 end) as events_7d,
        sum(case when days_before < 30 then event_count else 0 end) as events_30d,
        sum(case when days_before < 90 then event_count else 0 end) as events_90d,
        sum(event_count) as events_total,
        round(sum(revenue), 2) as revenue_total,  -- rounded to the cent: exact across runs (see activities)
        round(sum(case when days_before < 90 then revenue end), 2) as revenue_90d,
        max(days_before) as first_days_before,
        min(days_before) as last_days_before
    from history
    group by profile_id, snapshot_date, activity

),

active_days as (

    select
        profile_id,
        snapshot_date,
        count(distinct days_before) as active_days_30d
    from history
    where days_before < 30
        and activity not like 'custom.%'
        and activity not in {{ customer_ai_literal_list(var('customer_ai__passive_event_types', ['directMarketing.emailSent'])) }}
    group by profile_id, snapshot_date

),

activity_features as (

    -- step 2: pivot the dozen rows per profile and snapshot into the feature columns
    select
        activity_windows.profile_id,
        activity_windows.snapshot_date
        {%- for f in catalog if f.source == 'activity' %},
        {{ f.expr }} as {{ f.name }}
        {%- endfor %}
    from activity_windows
    left join active_days
        on activity_windows.profile_id = active_days.profile_id
        and activity_windows.snapshot_date = active_days.snapshot_date
    group by activity_windows.profile_id, activity_windows.snapshot_date

),

session_features as (

    select
        profile_id,
        snapshot_date
        {%- for f in catalog if f.source == 'session' %},
        {{ f.expr }} as {{ f.name }}
        {%- endfor %}
    from session_history
    group by profile_id, snapshot_date

),

final as (

    select
        activity_features.profile_id,
        activity_features.snapshot_date
        {%- for f in catalog if f.source == 'activity' %},
        cast(activity_features.{{ f.name }} as {{ customer_ai_type_double() }}) as {{ f.name }}
        {%- endfor %}
        {%- for f in catalog if f.source == 'session' %},
        cast({{ 'coalesce(session_features.' ~ f.name ~ ', 0)' if f.name.startswith('sessions_') else 'session_features.' ~ f.name }} as {{ customer_ai_type_double() }}) as {{ f.name }}
        {%- endfor %}
        {%- for f in catalog if f.source == 'attribute' %},
        attributes.{{ f.name }}
        {%- endfor %}
    from activity_features
    left join session_features
        on activity_features.profile_id = session_features.profile_id
        and activity_features.snapshot_date = session_features.snapshot_date
    left join attributes
        on activity_features.profile_id = attributes.profile_id

)

select * from final
