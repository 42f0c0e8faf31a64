{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='profile_id',
        on_schema_change='fail'
    )
}}
{#-
    Every staged site or app event (email events excluded) with its session. A session ends after customer_ai__sessions_inactivity_minutes without an
    event, after customer_ai__sessions_max_minutes, or at midnight UTC. The midnight cut keeps sessions
    point-in-time: a session never spans a snapshot date, so features at a snapshot never see later events.

    Incremental: a run re-sessionizes only the profiles that have events in the last
    customer_ai__sessions_lookback_days before the latest event already sessionized (late events inside that
    window are caught), replacing all of those profiles' rows (delete+insert on profile_id).
-#}
{%- set gap_seconds = var('customer_ai__sessions_inactivity_minutes', 30) * 60 -%}
{%- set max_seconds = var('customer_ai__sessions_max_minutes', 240) * 60 -%}

with

events as (

    select
        event_id,
        profile_id,
        event_type,
        event_at,
        event_date,
        revenue
    from {{ ref('stg_experience_events') }}
    -- sessions are visits to the site or app: marketing email events belong to no session
    where event_type not like 'directMarketing.%'
    {% if is_incremental() %}
    and profile_id in (
        select distinct profile_id
        from {{ ref('stg_experience_events') }}
        where event_type not like 'directMarketing.%'
            and event_at > (
            select {{ dbt.dateadd('day', -1 * var('customer_ai__sessions_lookback_days', 3), 'max(event_at)') }}
            from {{ this }}
        )
    )
    {% endif %}

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
        sum(is_new_visit) over (partition by profile_id order by event_at) as visit_number,
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
        event_at,
        event_date,
        revenue,
        cast(visit_number as integer) as visit_number,
        -- a visit longer than the maximum session length is cut into consecutive pieces of that length
        cast(floor((event_epoch - visit_start_epoch) / {{ max_seconds }}) as integer) as piece_number,
        -- readable and unique: the profile, the visit's first second, the piece
        {{ dbt.concat([
            'profile_id', "'-'",
            'cast(visit_start_epoch as ' ~ dbt.type_string() ~ ')', "'-'",
            'cast(floor((event_epoch - visit_start_epoch) / ' ~ max_seconds ~ ') as ' ~ dbt.type_string() ~ ')'
        ]) }} as session_id
    from visits

)

select * from final
