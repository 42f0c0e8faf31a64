{#-
    Point-in-time features: one row per (profile, snapshot date) for every profile seen on or before the snapshot,
    computed only from events dated on or before it (days_before >= 0). Labels look at the days after the snapshot,
    features never do. The feature list is generated from the configuration (customer_ai_feature_catalog).

    The activity history arrives pre-reduced to rows per profile, snapshot and activity, in two halves:
    int_profile_activities_windowed_to_snapshots (the last 7, 30 and 90 days) and
    int_profile_activities_accumulated_to_snapshots (everything up to the snapshot). This model turns them into
    columns: profile-level aggregates for the catalog's `recent` and `lifetime` expressions, and one join per
    event type for its own columns (faster than a wide CASE pivot, whose aggregate states spill at scale).
    Sessions and active days, small by comparison, are computed here the same two ways.
-#}
{%- set catalog = customer_ai_feature_catalog() -%}
{%- set has_attributes = catalog | selectattr('source', 'equalto', 'attribute') | list | length > 0 -%}
{#- one lookup join per window and event type, selecting the columns the catalog's event_type features read -#}
{%- set lookups = {} -%}
{%- for f in catalog if f.source == 'event_type' -%}
    {%- set alias = f.window ~ '_' ~ f.slug -%}
    {%- if alias not in lookups -%}
        {%- do lookups.update({alias: {'window': f.window, 'activity': f.activity, 'columns': []}}) -%}
    {%- endif -%}
    {%- do lookups[alias].columns.append(f.column) -%}
{%- endfor -%}

with

snapshot_dates as (

    {{ customer_ai_snapshot_windows() }}

),

recent_activity_windows as (

    select * from {{ ref('int_profile_activities_windowed_to_snapshots') }}

),

lifetime_activity_windows as (

    select * from {{ ref('int_profile_activities_accumulated_to_snapshots') }}

),

activities as (

    select * from {{ ref('int_profile_activities_aggregated_to_days') }}

),

sessions as (

    select * from {{ ref('int_sessions_aggregated') }}

),

{%- if has_attributes %}

attributes as (

    select * from {{ ref('stg_profile_attributes') }}

),
{%- endif %}

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

    -- the last session date, accumulated per snapshot interval as in int_profile_activities_accumulated_to_snapshots
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

-- one row per profile and snapshot ------------------------------------------------------------------------------

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

lifetime_features as (

    -- every profile seen on or before the snapshot: the population of the model
    select
        profile_id,
        snapshot_date
        {%- for f in catalog if f.source == 'lifetime' %},
        {{ f.expr }} as {{ f.name }}
        {%- endfor %}
    from lifetime_activity_windows
    group by profile_id, snapshot_date

),

recent_features as (

    select
        recent_activity_windows.profile_id,
        recent_activity_windows.snapshot_date
        {%- for f in catalog if f.source == 'recent' %},
        {{ f.expr }} as {{ f.name }}
        {%- endfor %}
    from recent_activity_windows
    left join active_days
        on recent_activity_windows.profile_id = active_days.profile_id
        and recent_activity_windows.snapshot_date = active_days.snapshot_date
    group by recent_activity_windows.profile_id, recent_activity_windows.snapshot_date

),

session_features as (

    select
        profile_id,
        snapshot_date
        {%- for f in catalog if f.source == 'session' %},
        {{ f.expr }} as {{ f.name }}
        {%- endfor %}
    from session_windows
    group by profile_id, snapshot_date

),

{%- for alias, lookup in lookups.items() %}

{{ alias }} as (

    select
        profile_id,
        snapshot_date,
        {{ lookup.columns | join(',\n        ') }}
    from {{ lookup.window }}_activity_windows
    where activity = {{ customer_ai_literal(lookup.activity) }}

),
{%- endfor %}

final as (

    select
        lifetime_features.profile_id,
        lifetime_features.snapshot_date
        {%- for f in catalog %},
        {%- if f.source == 'attribute' %}
        attributes.{{ f.name }}
        {%- else %}
        {%- set value = f.window ~ '_' ~ f.slug ~ '.' ~ f.column if f.source == 'event_type' else f.source ~ '_features.' ~ f.name %}
        cast({{ 'coalesce(' ~ value ~ ', ' ~ f.default ~ ')' if f.default is defined else value }} as {{ customer_ai_type_double() }}) as {{ f.name }}
        {%- endif %}
        {%- endfor %}
    from lifetime_features
    left join recent_features
        on lifetime_features.profile_id = recent_features.profile_id
        and lifetime_features.snapshot_date = recent_features.snapshot_date
    left join session_features
        on lifetime_features.profile_id = session_features.profile_id
        and lifetime_features.snapshot_date = session_features.snapshot_date
    {%- for alias in lookups %}
    left join {{ alias }}
        on lifetime_features.profile_id = {{ alias }}.profile_id
        and lifetime_features.snapshot_date = {{ alias }}.snapshot_date
    {%- endfor %}
    {%- if has_attributes %}
    left join attributes
        on lifetime_features.profile_id = attributes.profile_id
    {%- endif %}

)

select * from final
