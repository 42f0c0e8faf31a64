{{ config(materialized='table') }}
{#-
    Every input row with the reason it cannot be used (null when it can). Materialized once so that the staged
    and rejected tables are cheap filters of it and always add up to the input.
-#}

with

parsed as (

    select * from {{ ref('stg_experience_events__parsed') }}

),

checked as (

    select
        *,
        case
            when event_id is null then 'missing event id'
            when profile_id is null then 'missing identity'
            when raw_timestamp is null or trim(raw_timestamp) = '' then 'missing timestamp'
            when event_at is null then 'unparseable timestamp'
            when event_at > cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
                then 'timestamp in the future of the run'
            when event_type is null then 'unknown event type (no eventType and no known measure)'
            when quantity < 0 then 'negative quantity'
            when revenue < 0 then 'negative revenue'
        end as row_problem
    from parsed

),

ranked as (

    select
        *,
        -- the first usable copy of an event id is kept; later copies are duplicates
        row_number() over (
            -- the 64-bit hash first: the sort then compares integers, and the id only where hashes collide
            partition by {{ customer_ai_hash64('event_id') }}, event_id
            order by case when row_problem is null then 0 else 1 end, event_at, raw_timestamp, profile_id
        ) as copy_number
    from checked

),

final as (

    select
        *,
        case
            when row_problem is not null then row_problem
            when copy_number > 1 then 'duplicate event id'
        end as rejection_reason
    from ranked

)

select
    event_id,
    profile_id,
    event_type,
    -- the raw text is only kept where it explains a rejection (it would double the table for nothing)
    case when rejection_reason is not null then raw_timestamp end as raw_timestamp,
    event_at,
    revenue,
    quantity,
    purchase_id,
    page_name,
    page_url,
    channel,
    {%- for f in var('customer_ai__passthrough_fields', []) or [] %}
    {{ adapter.quote(f.name) }},
    {%- endfor %}
    rejection_reason
from final
