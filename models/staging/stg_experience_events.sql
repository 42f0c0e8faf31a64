{{ config(materialized='table') }}
{#- The canonical event table: one row per usable event. Materialized because every later model scans it. -#}

with

validated as (

    select * from {{ ref('stg_experience_events__validated') }}

),

final as (

    select
        event_id,
        profile_id,
        event_type,
        event_at,
        cast(event_at as date) as event_date,
        revenue,
        quantity,
        purchase_id,
        page_name,
        page_url,
        channel
        {%- for f in var('customer_ai__passthrough_fields', []) or [] %},
        {{ adapter.quote(f.name) }}
        {%- endfor %}
    from validated
    where rejection_reason is null

)

select * from final
