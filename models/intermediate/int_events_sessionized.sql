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

    select
        *,
        lag(event_epoch) over (partition by profile_id order by event_at, event_id) as previous_event_epoch,
        lag(event_date) over (partition by profile_id order by event_at, event_id) as previous_event_date
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

    select
        *,
        sum(is_new_visit) over (
            partition by profile_id order by event_at, event_id rows between unbounded preceding and current row
        ) as visit_number
    from flagged

),

visit_starts as (

    select
        *,
        min(event_epoch) over (partition by profile_id, visit_number) as visit_start_epoch
    from visits

),

split as (

    -- a visit longer than the maximum session length is cut into consecutive pieces of that length
    select
        *,
        cast(floor((event_epoch - visit_start_epoch) / {{ max_seconds }}) as integer) as piece_number
    from visit_starts

),

final as (

    select
        event_id,
        profile_id,
        event_type,
        event_at,
        event_date,
        revenue,
        {{ dbt.hash(dbt.concat([
            'profile_id', "'|'",
            'cast(visit_start_epoch as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(piece_number as ' ~ dbt.type_string() ~ ')'
        ])) }} as session_id,
        cast(dense_rank() over (partition by profile_id order by visit_number, piece_number) as integer)
            as session_sequence_number
    from split

)

select * from final
