{#-
    Raw experience events, XDM or flat, mapped onto the canonical columns. Nothing is filtered here:
    stg_experience_events__validated decides which rows are usable and why the others are not.
-#}
{%- set raw_relation = customer_ai_raw_events() -%}
{%- set columns = customer_ai_input_columns(raw_relation) -%}
{%- set str = dbt.type_string() -%}
{%- set num = customer_ai_type_double() -%}

with

raw_events as (

    select * from {{ raw_relation }}

),

{% if var('customer_ai__events_format', 'xdm') == 'xdm' %}

{%- set identity_exprs = [] -%}
{%- for f in var('customer_ai__identity_fields', ['identity_map', 'mcid']) -%}
    {%- if f == 'identity_map' and ('identitymap' in columns or not execute) -%}
        {%- do identity_exprs.append("nullif(trim(cast(" ~ customer_ai_identity_map_id(var('customer_ai__identity_namespace', 'ECID')) ~ " as " ~ str ~ ")), '')") -%}
    {%- elif f == 'mcid' -%}
        {%- do identity_exprs.append("nullif(trim(" ~ customer_ai_xdm_field(columns, 'endUserIDs._experience.mcid.id', str) ~ "), '')") -%}
    {%- endif -%}
{%- endfor -%}
{%- do identity_exprs.append('cast(null as ' ~ str ~ ')') -%}

parsed as (

    select
        nullif(trim({{ customer_ai_xdm_field(columns, '_id', str) }}), '') as event_id,
        coalesce({{ identity_exprs | join(', ') }}) as profile_id,
        nullif(trim({{ customer_ai_xdm_field(columns, 'eventType', str) }}), '') as raw_event_type,
        case
            {%- for t in customer_ai_standard_event_types() %}
            when {{ customer_ai_xdm_field(columns, t.measure, num) }} > 0 then {{ customer_ai_literal(t.event_type) }}
            {%- endfor %}
        end as measure_event_type,
        {{ customer_ai_xdm_field(columns, 'timestamp', str) }} as raw_timestamp,
        {{ customer_ai_xdm_field(columns, 'commerce.order.priceTotal', num) }} as revenue,
        {{ customer_ai_item_quantity_sum(columns) }} as quantity,
        nullif(trim({{ customer_ai_xdm_field(columns, 'commerce.order.purchaseID', str) }}), '') as purchase_id,
        {{ customer_ai_xdm_field(columns, 'web.webPageDetails.name', str) }} as page_name,
        {{ customer_ai_xdm_field(columns, 'web.webPageDetails.URL', str) }} as page_url,
        regexp_extract({{ customer_ai_xdm_field(columns, 'channel._type', str) }}, '([^/]+)$', 1) as raw_channel
        {%- for f in var('customer_ai__passthrough_fields', []) or [] %},
        {{ customer_ai_xdm_field(columns, f.xdm_path or f.name, num if f.get('type') == 'number' else str) }} as {{ adapter.quote(f.name) }}
        {%- endfor %}
    from raw_events as raw

),

{% else %}

{%- set mapping = {
    'event_id': 'event_id', 'profile_id': 'profile_id', 'event_type': 'event_type',
    'event_timestamp': 'event_timestamp', 'revenue': 'revenue', 'quantity': 'quantity', 'purchase_id': 'purchase_id',
    'page_name': 'page_name', 'page_url': 'page_url', 'channel': 'channel'} -%}
{%- do mapping.update(var('customer_ai__flat_columns', {}) or {}) -%}
{%- for required in ['event_id', 'profile_id', 'event_type', 'event_timestamp'] -%}
    {%- if execute and (not mapping[required] or (mapping[required] | lower) not in columns) -%}
        {{ exceptions.raise_compiler_error(
            "customer_ai__flat_columns." ~ required ~ ": the flat input has no column '" ~ mapping[required]
            ~ "'; its columns are: " ~ (columns.keys() | list | join(', ')) ) }}
    {%- endif -%}
{%- endfor -%}


parsed as (

    select
        nullif(trim({{ customer_ai_flat_column(mapping, columns, 'event_id', str) }}), '') as event_id,
        nullif(trim({{ customer_ai_flat_column(mapping, columns, 'profile_id', str) }}), '') as profile_id,
        nullif(trim({{ customer_ai_flat_column(mapping, columns, 'event_type', str) }}), '') as raw_event_type,
        cast(null as {{ str }}) as measure_event_type,
        {{ customer_ai_flat_column(mapping, columns, 'event_timestamp', str) }} as raw_timestamp,
        {{ customer_ai_flat_column(mapping, columns, 'revenue', num) }} as revenue,
        {{ customer_ai_flat_column(mapping, columns, 'quantity', num) }} as quantity,
        nullif(trim({{ customer_ai_flat_column(mapping, columns, 'purchase_id', str) }}), '') as purchase_id,
        {{ customer_ai_flat_column(mapping, columns, 'page_name', str) }} as page_name,
        {{ customer_ai_flat_column(mapping, columns, 'page_url', str) }} as page_url,
        {{ customer_ai_flat_column(mapping, columns, 'channel', str) }} as raw_channel
        {%- for f in var('customer_ai__passthrough_fields', []) or [] %},
        {%- set col = f.flat_column or f.name %}
        {%- if (col | lower) in columns or not execute %}
        cast(raw.{{ adapter.quote(col) }} as {{ num if f.get('type') == 'number' else str }}) as {{ adapter.quote(f.name) }}
        {%- else %}
        cast(null as {{ num if f.get('type') == 'number' else str }}) as {{ adapter.quote(f.name) }}
        {%- endif %}
        {%- endfor %}
    from raw_events as raw

),

{% endif %}

final as (

    select
        event_id,
        profile_id,
        coalesce(raw_event_type, measure_event_type) as event_type,
        raw_timestamp,
        {{ customer_ai_parse_timestamp_utc('raw_timestamp') }} as event_at,
        revenue,
        quantity,
        purchase_id,
        page_name,
        page_url,
        coalesce(
            nullif(raw_channel, ''),
            case
                when coalesce(raw_event_type, measure_event_type) like 'directMarketing.%' then 'email'
                when coalesce(raw_event_type, measure_event_type) like 'application.%' then 'mobile'
                else 'web'
            end
        ) as channel
        {%- for f in var('customer_ai__passthrough_fields', []) or [] %},
        {{ adapter.quote(f.name) }}
        {%- endfor %}
    from parsed

)

select * from final
