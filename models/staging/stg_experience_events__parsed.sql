/*
    Raw experience events, XDM or flat, mapped onto the canonical columns. Nothing is filtered here:
    stg_experience_events__validated decides which rows are usable and why the others are not.

    Rules (README, "Pointing the project at your data"):
      - types: an event's types are its eventType (matched case-insensitively, blanks ignored) and every measure that
        is set (customer_ai_standard_event_types); event_types lists them all, event_type is the primary one
      - revenue: commerce.order.priceTotal when present; else, for a purchase, the sum of productListItems[].priceTotal
      - quantity: the sum of productListItems[].quantity
      - identity: the first identity set, in the order of customer_ai__identity_fields / _identity_namespaces
      - text values are cleaned of blanks and invisible characters at both ends; numbers that arrive as text are
        parsed, and a value that is not a number is flagged (the validation rejects the row)

    On DuckDB with file input the parsed rows are kept, with their file's name, size and time, and a run parses only
    the new and changed files (macros/staging/parse_by_file.sql); otherwise this is a view.
*/
{{ config(**customer_ai_parsed_config()) }}
{%- set by_file = customer_ai_parses_by_file() -%}
{%- set raw_relation = customer_ai_raw_events() -%}
{%- set columns = customer_ai_input_columns(raw_relation) -%}
{%- set str = dbt.type_string() -%}
{%- set num = customer_ai_type_double() -%}
{%- set known_types = customer_ai_known_event_types() -%}
{%- set measured_types = customer_ai_measured_event_types() -%}
{%- set passthrough = var('customer_ai__passthrough_fields') or [] -%}
{#- the measured types whose measure fields this input has: only they can be set, so only they are tested -#}
{%- set present_types = [] -%}
{%- set input_file = ('raw_row.' ~ customer_ai_input_file_column()) if by_file else 'cast(null as ' ~ str ~ ')' -%}
{%- set parsed_columns = ['event_id', 'profile_id', 'identity_namespace', 'raw_event_type', 'event_type', 'event_types',
    'raw_timestamp', 'event_at', 'revenue', 'revenue_unparseable', 'quantity', 'quantity_unparseable', 'purchase_id',
    'page_name', 'page_url', 'channel'] -%}
{%- for f in passthrough -%}{%- do parsed_columns.append(customer_ai_quote(f.name)) -%}{%- endfor -%}

{%- set parse_sql -%}
with

raw_events as (

    select * from {{ customer_ai_raw_events(with_input_file=by_file) }}
    {{ customer_ai_input_files_placeholder() }}

),

{% if var('customer_ai__events_format') == 'xdm' %}

{%- set identities = customer_ai_identity_candidates(columns) -%}
{%- set order_total = customer_ai_field_number(columns, 'commerce.order.priceTotal') -%}
{%- set item_revenue = customer_ai_items_sum(columns, 'priceTotal') -%}
{%- set item_quantity = customer_ai_items_sum(columns, 'quantity') -%}

extracted as (

    select
        {{ customer_ai_clean_text(customer_ai_field_text(columns, '_id')) }} as event_id,
        {%- for identity in identities %}
        {{ customer_ai_clean_text(identity.sql) }} as identity_{{ loop.index }},
        {%- endfor %}
        {{ customer_ai_clean_text(customer_ai_field_text(columns, 'eventType')) }} as raw_event_type,
        {%- for t in measured_types %}
        {%- set checks = [] %}
        {%- for measure in t.measures %}
        {%- set field = customer_ai_field(columns, measure) %}
        {%- if field is not none %}{% do checks.append(customer_ai_number_of(field.sql, field.type).value ~ ' > 0') %}{% endif %}
        {%- endfor %}
        {%- if checks %}{% do present_types.append(t.event_type) %}{% endif %}
        coalesce({{ checks | join(' or ') if checks else 'false' }}, false) as has_{{ customer_ai_slug(t.event_type) }}_measure,
        {%- endfor %}
        {{ customer_ai_field_text(columns, 'timestamp') }} as raw_timestamp,
        {{ order_total.value }} as order_total,
        {{ order_total.unparseable }} as order_total_unparseable,
        {{ item_revenue.value }} as item_revenue,
        {{ item_revenue.unparseable }} as item_revenue_unparseable,
        {{ item_quantity.value }} as quantity,
        {{ item_quantity.unparseable }} as quantity_unparseable,
        {{ customer_ai_clean_text(customer_ai_field_text(columns, 'commerce.order.purchaseID')) }} as purchase_id,
        {{ customer_ai_field_text(columns, 'web.webPageDetails.name') }} as page_name,
        {{ customer_ai_field_text(columns, 'web.webPageDetails.URL') }} as page_url,
        regexp_extract({{ customer_ai_field_text(columns, 'channel._type') }}, '([^/]+)$', 1) as raw_channel,
        {{ input_file }} as input_file
        {%- for f in passthrough %},
        {%- if f.get('type') == 'number' %}
        {{ customer_ai_field_number(columns, f.xdm_path or f.name).value }} as {{ customer_ai_quote(f.name) }}
        {%- else %}
        {{ customer_ai_field_text(columns, f.xdm_path or f.name) }} as {{ customer_ai_quote(f.name) }}
        {%- endif %}
        {%- endfor %}
    from raw_events as raw_row

),

identified as (

    select
        *,
        coalesce({% for identity in identities %}identity_{{ loop.index }}, {% endfor %}cast(null as {{ str }})) as profile_id,
        case
            {%- for identity in identities %}
            when identity_{{ loop.index }} is not null then {{ customer_ai_literal(identity.namespace) }}
            {%- endfor %}
            else cast(null as {{ str }})
        end as identity_namespace
    from extracted

),

{% else %}

{%- set mapping = {
    'event_id': 'event_id', 'profile_id': 'profile_id', 'event_type': 'event_type',
    'event_timestamp': 'event_timestamp', 'revenue': 'revenue', 'quantity': 'quantity', 'purchase_id': 'purchase_id',
    'page_name': 'page_name', 'page_url': 'page_url', 'channel': 'channel'} -%}
{%- do mapping.update(var('customer_ai__flat_columns') or {}) -%}
{%- for required in ['event_id', 'profile_id', 'event_type', 'event_timestamp'] -%}
    {%- if execute and customer_ai_flat_column(mapping, columns, required) is none -%}
        {%- set names = [] -%}
        {%- for c in columns.values() -%}{%- do names.append(c.name) -%}{%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "customer_ai__flat_columns." ~ required ~ ": the flat input has no column '" ~ mapping[required]
            ~ "'; its columns are: " ~ (names | join(', ')) ) }}
    {%- endif -%}
{%- endfor -%}
{%- set revenue = customer_ai_flat_number(mapping, columns, 'revenue') -%}
{%- set quantity = customer_ai_flat_number(mapping, columns, 'quantity') -%}

identified as (

    select
        {{ customer_ai_clean_text(customer_ai_flat_text(mapping, columns, 'event_id')) }} as event_id,
        {{ customer_ai_clean_text(customer_ai_flat_text(mapping, columns, 'profile_id')) }} as profile_id,
        {{ customer_ai_literal(mapping.profile_id) }} as identity_namespace,
        {{ customer_ai_clean_text(customer_ai_flat_text(mapping, columns, 'event_type')) }} as raw_event_type,
        {%- for t in measured_types %}
        false as has_{{ customer_ai_slug(t.event_type) }}_measure,
        {%- endfor %}
        {{ customer_ai_flat_text(mapping, columns, 'event_timestamp') }} as raw_timestamp,
        {{ revenue.value }} as order_total,
        {{ revenue.unparseable }} as order_total_unparseable,
        cast(null as {{ num }}) as item_revenue,
        false as item_revenue_unparseable,
        {{ quantity.value }} as quantity,
        {{ quantity.unparseable }} as quantity_unparseable,
        {{ customer_ai_clean_text(customer_ai_flat_text(mapping, columns, 'purchase_id')) }} as purchase_id,
        {{ customer_ai_flat_text(mapping, columns, 'page_name') }} as page_name,
        {{ customer_ai_flat_text(mapping, columns, 'page_url') }} as page_url,
        {{ customer_ai_flat_text(mapping, columns, 'channel') }} as raw_channel,
        {{ input_file }} as input_file
        {%- for f in passthrough %},
        {%- set column = customer_ai_flat_column({'c': f.flat_column or f.name}, columns, 'c') %}
        {%- if column is none %}
        cast(null as {{ num if f.get('type') == 'number' else str }}) as {{ customer_ai_quote(f.name) }}
        {%- elif f.get('type') == 'number' %}
        {{ customer_ai_parse_number(column.sql, column.type) }} as {{ customer_ai_quote(f.name) }}
        {%- else %}
        cast({{ column.sql }} as {{ str }}) as {{ customer_ai_quote(f.name) }}
        {%- endif %}
        {%- endfor %}
    from raw_events as raw_row

),

{% endif %}

typed as (

    select
        *,
        -- the eventType in its canonical spelling; null when absent or not a known type
        case lower(raw_event_type)
            {%- for t in known_types %}
            when {{ customer_ai_literal(t.event_type | lower) }} then {{ customer_ai_literal(t.event_type) }}
            {%- endfor %}
        end as known_event_type
    from identified

),

classified as (

    select
        *,
        -- the primary type: the eventType when it is known, else the first type whose measure is set
        coalesce(
            known_event_type,
            case
                {%- for t in measured_types %}
                when has_{{ customer_ai_slug(t.event_type) }}_measure then {{ customer_ai_literal(t.event_type) }}
                {%- endfor %}
            end
        ) as primary_event_type,
        -- every type of the event, in catalog order: each type whose measure is set, then the eventType when it is
        -- not one of those (measures this input does not carry are not tested)
        {%- set elements = [] %}
        {%- for event_type in present_types %}
        {%- do elements.append('case when has_' ~ customer_ai_slug(event_type) ~ '_measure or known_event_type = '
            ~ customer_ai_literal(event_type) ~ ' then ' ~ customer_ai_literal(event_type) ~ ' end') %}
        {%- endfor %}
        {%- if present_types %}
        {%- do elements.append('case when known_event_type not in ' ~ customer_ai_literal_list(present_types) ~ ' then known_event_type end') %}
        {%- else %}
        {%- do elements.append('known_event_type') %}
        {%- endif %}
        {{ customer_ai_array_compact(elements) }} as event_types,
        has_commerce_purchases_measure or coalesce(known_event_type = 'commerce.purchases', false) as is_purchase
    from typed

),

final as (

    select
        event_id,
        profile_id,
        identity_namespace,
        raw_event_type,
        primary_event_type as event_type,
        event_types,
        raw_timestamp,
        {{ customer_ai_parse_timestamp_utc('raw_timestamp') }} as event_at,
        -- revenue: the order total, else (purchases only) the sum of the items' totals; a product view's item price
        -- is not revenue
        coalesce(order_total, case when is_purchase then item_revenue end) as revenue,
        order_total_unparseable or (is_purchase and order_total is null and item_revenue_unparseable) as revenue_unparseable,
        quantity,
        quantity_unparseable,
        purchase_id,
        page_name,
        page_url,
        coalesce(
            nullif(raw_channel, ''),
            case
                when primary_event_type like 'directMarketing.%' then 'email'
                when primary_event_type like 'application.%' then 'mobile'
                else 'web'
            end
        ) as channel,
        {%- for f in passthrough %}
        {{ customer_ai_quote(f.name) }},
        {%- endfor %}
        input_file
    from classified

)

select
    {%- set qualified_columns = [] %}
    {%- for column in parsed_columns %}
    {%- do qualified_columns.append('final.' ~ column) %}
    final.{{ column }},
    {%- endfor %}
    -- a hash of the parsed row: incremental staging finds the days whose rows changed by it (restage.sql)
    {{ customer_ai_input_row_hash(qualified_columns) }} as input_row_hash,
    final.input_file,
    {%- if by_file %}
    input_file_version.input_file_size,
    input_file_version.input_file_modified_at,
    {{ customer_ai_parsing_rules_placeholder() }} as parsing_rules_fingerprint
from final
left join {{ customer_ai_input_file_versions() }} as input_file_version
    on final.input_file = input_file_version.input_file
    {%- else %}
    cast(null as bigint) as input_file_size,
    cast(null as timestamp) as input_file_modified_at,
    cast(null as {{ str }}) as parsing_rules_fingerprint
from final
    {%- endif %}
{%- endset -%}

{%- if by_file -%}
    {%- set rules = customer_ai_parsing_rules_fingerprint(parse_sql) -%}
    {%- set files = customer_ai_input_files_to_parse(this, rules) if is_incremental() else none -%}
{{ customer_ai_parsed_files_record(rules, files) }}
{{ parse_sql | replace(customer_ai_input_files_placeholder(), customer_ai_input_files_filter(files))
             | replace(customer_ai_parsing_rules_placeholder(), customer_ai_string_literal(rules)) }}
{%- else -%}
{{ parse_sql | replace(customer_ai_input_files_placeholder(), '') }}
{%- endif %}
