{{ config(materialized='table') }}
/*
    The quarantine: input rows that could not be used, each with the reason. Nothing is dropped silently.
*/

with

validated as (

    select * from {{ ref('stg_experience_events__validated') }}

),

rejected as (

    select * from validated
    where rejection_reason is not null

),

final as (

    select
        {{ dbt.hash(dbt.concat(["coalesce(event_id, '')", "'|'", "coalesce(profile_id, '')", "'|'",
            "coalesce(raw_timestamp, '')", "'|'", "coalesce(raw_event_type, '')", "'|'", "rejection_reason",
            "'|'", "cast(row_number() over (order by event_id nulls first, profile_id nulls first, raw_timestamp nulls first, raw_event_type nulls first, rejection_reason) as " ~ dbt.type_string() ~ ")"])) }}
            as rejected_event_key,
        event_id,
        profile_id,
        identity_namespace,
        coalesce(event_type, raw_event_type) as event_type,
        raw_event_type,
        raw_timestamp,
        event_at,
        revenue,
        quantity,
        rejection_reason
    from rejected

)

select * from final
