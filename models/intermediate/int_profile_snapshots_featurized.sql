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

activity_features as (

    select
        profile_id,
        snapshot_date
        {%- for f in catalog if f.source == 'activity' %},
        {{ f.expr }} as {{ f.name }}
        {%- endfor %}
    from history
    group by profile_id, snapshot_date

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
