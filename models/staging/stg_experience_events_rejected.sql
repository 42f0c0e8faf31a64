{{ config(materialized='table') }}
{#- The quarantine: input rows that could not be used, each with the reason. Nothing is dropped silently. -#}

with

validated as (

    select * from {{ ref('stg_experience_events__validated') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat(["coalesce(event_id, '')", "'|'", "coalesce(profile_id, '')", "'|'",
            "coalesce(raw_timestamp, '')", "'|'", "coalesce(event_type, '')", "'|'", "rejection_reason",
            "'|'", "cast(row_number() over (order by event_id, profile_id, raw_timestamp, event_type) as " ~ dbt.type_string() ~ ")"])) }}
            as rejected_event_key,
        event_id,
        profile_id,
        event_type,
        raw_timestamp,
        event_at,
        revenue,
        quantity,
        rejection_reason
    from validated
    where rejection_reason is not null

)

select * from final
