/*
    The canonical event table: one row per usable event. A view over stg_experience_events__validated (a table):
    writing the events a second time would cost more than filtering them on read, and columnar scans only read
    the columns a model needs.
*/

with

validated as (

    select * from {{ ref('stg_experience_events__validated') }}

),

final as (

    select
        event_id,
        profile_id,
        identity_namespace,
        event_type,
        event_types,
        event_at,
        cast(event_at as date) as event_date,
        revenue,
        quantity,
        purchase_id,
        page_name,
        page_url,
        channel
        {%- for f in var('customer_ai__passthrough_fields') or [] %},
        {{ customer_ai_quote(f.name) }}
        {%- endfor %},
        staged_at
    from validated
    where rejection_reason is null

)

select * from final
