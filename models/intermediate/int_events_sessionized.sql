{{
    config(
        materialized='incremental',
        on_schema_change='sync_all_columns',
        post_hook="{{ customer_ai_delete_profiles_without_events(this) }}",
        **customer_ai_profile_incremental_config()
    )
}}
/*
    Every staged site or app event (email events excluded) with its session. A session ends after
    customer_ai__sessions_inactivity_minutes without an event, after customer_ai__sessions_max_minutes, or at
    midnight UTC. The midnight cut keeps sessions point-in-time: a session never spans a snapshot date, so features
    at a snapshot never see later events.

    Incremental: a profile's sessions depend on that profile's events only, so a run sessionizes again just the
    profiles whose events changed since the last run: new, late (however late), edited or removed events. On DuckDB
    they are the profiles with events on the days staging restaged since their rows were sessionized, and a profile
    whose changed days all come after its sessionized ones (the daily case: today's events) keeps its rows and gets
    the new days' sessions added, numbered on from its last visit: sessions end at midnight, so earlier days'
    sessions cannot change. Any other changed profile is sessionized again whole. On Spark, whose staging is rebuilt
    every run, the changed profiles are those whose per-profile count and fingerprint of the events differ from
    those of the rows already sessionized, each sessionized whole (macros/sessions/resessionize.sql).
    Every row also records the rules it was sessionized with (sessions_rules_fingerprint: the code of this model and
    of the project's macros, and the session settings); a change of them re-sessionizes every profile, as does a
    table sessionized before rows recorded them (sync_all_columns adds the column).
    Profiles that no longer have any site or app event (an erasure request, say) are removed after the run
    (post-hook), so nothing of them stays behind. How rows are replaced depends on the engine: replace_slices on
    profile and day (DuckDB), or overwriting the profile_bucket partitions of the changed profiles (Spark on Parquet,
    which has no row deletes): see macros/staging/erasure.sql.
*/
{%- set gap_seconds = var('customer_ai__sessions_inactivity_minutes') * 60 -%}
{%- set max_seconds = var('customer_ai__sessions_max_minutes') * 60 -%}
{%- set rules = customer_ai_string_literal(
    local_md5(customer_ai_model_code() ~ '|' ~ gap_seconds ~ '|' ~ max_seconds)) -%}
{%- set rows_record_rules = is_incremental() and customer_ai_relation_has_columns(this, ['sessions_rules_fingerprint']) -%}
{#- sessions are visits to the site or app: marketing email events belong to no session -#}
{%- set is_site_or_app_event = "event_type not like 'directMarketing.%'" -%}

with

site_and_app_events as (

    -- the sessions count only three of an event's types: flags instead of the list keep the rows narrow, and both
    -- window passes below sort every row with all its columns
    select
        event_id,
        profile_id,
        event_type,
        {{ customer_ai_session_type_flags('event_types') | indent(4) }},
        event_at,
        event_date,
        revenue
    from {{ ref('stg_experience_events') }}
    where {{ is_site_or_app_event }}

),

{% if is_incremental() %}

{{ customer_ai_profiles_to_resessionize(rules, rows_record_rules, is_site_or_app_event) }}

{% endif %}

events as (

    {%- if is_incremental() %}
    {{ customer_ai_events_to_sessionize('site_and_app_events') | indent(4) }}
    {%- else %}
    select
        *,
        0 as visits_before
    from site_and_app_events
    {%- endif %}

),

with_epoch as (

    select
        *,
        {{ customer_ai_epoch_seconds('event_at') }} as event_epoch
    from events

),

lagged as (

    -- ties on event_at cannot change the result: a tied event is 0 seconds from its neighbour, same visit
    select
        *,
        lag(event_epoch) over (partition by profile_id order by event_at) as previous_event_epoch,
        lag(event_date) over (partition by profile_id order by event_at) as previous_event_date
    from with_epoch

),

flagged as (

    select
        *,
        case
            when previous_event_epoch is null then 1
            when event_epoch - previous_event_epoch > {{ gap_seconds }} then 1
            when event_date <> previous_event_date then 1
            else 0
        end as is_new_visit
    from lagged

),

visits as (

    -- one window pass: the visit number (running count of visit starts) and the visit's first second (the
    -- running maximum of start times, since times only grow along the window)
    select
        *,
        visits_before + sum(is_new_visit) over (partition by profile_id order by event_at) as visit_number,
        max(case when is_new_visit = 1 then event_epoch end) over (
            partition by profile_id order by event_at
        ) as visit_start_epoch
    from flagged

),

final as (

    select
        event_id,
        profile_id,
        event_type,
        is_page_view,
        is_product_view,
        is_purchase,
        event_at,
        event_date,
        revenue,
        cast(visit_number as integer) as visit_number,
        -- the session is (profile, visit start, piece): kept as numbers here, as a text id per event would cost a
        -- string built for every event; int_sessions_aggregated makes the readable session_id once per session
        visit_start_epoch,
        -- a visit longer than the maximum session length is cut into consecutive pieces of that length
        cast(floor((event_epoch - visit_start_epoch) / {{ max_seconds }}) as integer) as piece_number,
        {{ rules }} as sessions_rules_fingerprint,
        -- when the row was sessionized: int_sessions_aggregated aggregates the rows stamped after its latest
        {{ customer_ai_run_started_at() }} as sessionized_at,
        -- computed for the rows written only (an md5 per row)
        {{ customer_ai_profile_bucket('profile_id') }} as profile_bucket
    from visits

)

select * from final
