{{ config(**customer_ai_staging_config()) }}
/*
    Every input row with the reason it cannot be used (null when it can). Materialized once so that the staged
    and rejected tables are cheap filters of it and always add up to the input.

    Duplicate event ids: of the copies of an id, the one kept is the first usable copy in an order that depends
    on the copies' content only (time, then profile, type and values), never on the order the rows arrived in, so
    two files in any order stage the same table. Ids are counted by a 64-bit hash first (customer_ai_repeated_keys)
    and only the copies of repeated ids are ranked, instead of sorting every row.

    The readers of the input in a full build each scan the table (customer_ai_inlined_cte): a CTE they shared would
    hold a copy of the whole input. A run that restages some days holds their rows once, as finding them takes a
    query of its own.

    Incremental on DuckDB: a run restages only the event days whose input changed (new, late, edited or removed
    rows), with every copy of the ids they hold, and gets the rows a full build would: macros/staging/restage.sql.
*/
{%- set max_revenue = customer_ai_literal(var('customer_ai__max_event_revenue')) -%}
{%- set max_quantity = customer_ai_literal(var('customer_ai__max_event_quantity')) -%}
{%- set passthrough = var('customer_ai__passthrough_fields') or [] -%}
{%- set str = dbt.type_string() -%}

with

parsed as {{ customer_ai_inlined_cte(full_build_only=true) }} (

    -- the alias is unused when every day is restaged (the filter is then `true`)
    select * from {{ ref('stg_experience_events__parsed') }} as parsed_row  -- noqa: AL05
    {%- if is_incremental() %}
    {%- set restaged_days = customer_ai_restaged_days(this) %}
    {{ customer_ai_restaged_days_record(restaged_days) }}
    where {{ customer_ai_is_restaged('parsed_row', this, restaged_days) }}
    {%- endif %}

),

checked as {{ customer_ai_inlined_cte() }} (

    select
        *,
        case
            when event_id is null then 'missing event id'
            when profile_id is null then 'missing identity'
            when raw_timestamp is null or trim(raw_timestamp) = '' then 'missing timestamp'
            when event_at is null then 'unparseable timestamp'
            when event_at > cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
                then 'timestamp in the future of the run'
            when raw_event_type is not null and event_type is null then 'unknown event type'
            when event_type is null then 'missing event type (no eventType and no known measure)'
            when revenue_unparseable then 'unparseable revenue'
            when not {{ customer_ai_is_finite('revenue') }} then 'revenue is not a finite number'
            when revenue > {{ max_revenue }} then 'revenue above customer_ai__max_event_revenue'
            when revenue < 0 then 'negative revenue'
            when quantity_unparseable then 'unparseable quantity'
            when not {{ customer_ai_is_finite('quantity') }} then 'quantity is not a finite number'
            when quantity > {{ max_quantity }} then 'quantity above customer_ai__max_event_quantity'
            when quantity < 0 then 'negative quantity'
        end as row_problem
    from parsed

),

repeated_ids as (

    select event_id as repeated_event_id
    from (
        {{ customer_ai_repeated_keys('checked', ['event_id'], 'event_id is not null') | indent(8) }}
    ) as repeated

),

single_copies as (

    select
        checked.*,
        1 as copy_number
    from checked
    left join repeated_ids
        on checked.event_id = repeated_ids.repeated_event_id
    where repeated_ids.repeated_event_id is null

),

ranked_copies as (

    select
        checked.*,
        row_number() over (
            partition by checked.event_id
            order by
                case when checked.row_problem is null then 0 else 1 end,
                checked.event_at nulls last,
                checked.raw_timestamp nulls last,
                checked.profile_id nulls last,
                checked.event_type nulls last,
                cast(checked.event_types as {{ str }}) nulls last,
                checked.revenue nulls last,
                checked.quantity nulls last,
                checked.purchase_id nulls last,
                checked.page_name nulls last,
                checked.page_url nulls last,
                checked.channel nulls last,
                checked.identity_namespace nulls last
                {%- for f in passthrough %},
                checked.{{ customer_ai_quote(f.name) }} nulls last
                {%- endfor %}
        ) as copy_number
    from checked
    inner join repeated_ids
        on checked.event_id = repeated_ids.repeated_event_id

),

all_copies as (

    select * from single_copies
    union all
    select * from ranked_copies

),

final as (

    select
        *,
        case
            when row_problem is not null then row_problem
            when copy_number > 1 then 'duplicate event id'
        end as rejection_reason
    from all_copies

)

select
    event_id,
    profile_id,
    identity_namespace,
    event_type,
    event_types,
    -- the raw texts are only kept where they explain a rejection (they would double the table for nothing)
    case when rejection_reason is not null then raw_event_type end as raw_event_type,
    case when rejection_reason is not null then raw_timestamp end as raw_timestamp,
    event_at,
    revenue,
    quantity,
    purchase_id,
    page_name,
    page_url,
    channel,
    {%- for f in passthrough %}
    {{ customer_ai_quote(f.name) }},
    {%- endfor %}
    rejection_reason,
    -- what the next run compares to find the days whose input or rules changed (macros/staging/restage.sql)
    input_row_hash,
    {{ customer_ai_string_literal(customer_ai_staging_rules_fingerprint()) }} as staging_rules_fingerprint,
    -- when the row was (re)staged: downstream incremental models find the changed days by it
    {{ customer_ai_run_started_at() }} as staged_at
from final
