{#-
    Where the raw events come from (customer_ai__events_source): the built-in demo model, a declared source table,
    or Parquet/JSON files. Called only by the staging layer.
-#}
{% macro customer_ai_raw_events() %}
    {%- set kind = var('customer_ai__events_source', 'demo') -%}
    {%- if kind == 'demo' -%}
        {{ return(ref('demo_xdm_experience_events')) }}
    {%- elif kind == 'table' -%}
        {{ return(source('customer_ai_input', 'experience_events')) }}
    {%- else -%}
        {{ return(customer_ai_read_files(var('customer_ai__events_path'))) }}
    {%- endif -%}
{% endmacro %}


{% macro customer_ai_read_files(path) %}
    {{ return(adapter.dispatch('customer_ai_read_files', 'customer_ai')(path)) }}
{% endmacro %}
{% macro default__customer_ai_read_files(path) -%}
    {%- if path.endswith('.json') or path.endswith('.jsonl') or path.endswith('.ndjson') or path.endswith('.json.gz') -%}
        read_json_auto({{ customer_ai_string_literal(path) }}, format = 'auto', union_by_name = true)
    {%- else -%}
        read_parquet({{ customer_ai_string_literal(path) }}, union_by_name = true)
    {%- endif -%}
{%- endmacro %}
{% macro spark__customer_ai_read_files(path) -%}
    {%- if path.endswith('.json') or path.endswith('.jsonl') or path.endswith('.ndjson') -%}
        json.`{{ path }}`
    {%- else -%}
        parquet.`{{ path }}`
    {%- endif -%}
{%- endmacro %}


{#- Column name (lower case) -> type text of the raw input, read at run time; empty while dbt parses. -#}
{% macro customer_ai_input_columns(relation_sql) %}
    {%- if not execute -%}{{ return({}) }}{%- endif -%}
    {{ return(adapter.dispatch('customer_ai_input_columns', 'customer_ai')(relation_sql)) }}
{% endmacro %}
{% macro default__customer_ai_input_columns(relation_sql) %}
    {%- set cols = {} -%}
    {%- for c in adapter.get_columns_in_relation(relation_sql) -%}
        {%- do cols.update({c.name | lower: c.data_type | string}) -%}
    {%- endfor -%}
    {{ return(cols) }}
{% endmacro %}
{% macro duckdb__customer_ai_input_columns(relation_sql) %}
    {%- set cols = {} -%}
    {%- set described = run_query('describe select * from ' ~ relation_sql) -%}
    {%- for row in described.rows -%}
        {%- do cols.update({row[0] | lower: row[1] | string}) -%}
    {%- endfor -%}
    {{ return(cols) }}
{% endmacro %}


{#-
    A dotted XDM path (commerce.order.priceTotal) as an expression on the raw input aliased `raw`, or a typed null
    when the input has no such field: exports only carry the field groups their schema has.
-#}
{% macro customer_ai_xdm_field(columns, path, sql_type) %}
    {%- set parts = path.split('.') -%}
    {%- set top = parts[0] | lower -%}
    {%- set state = namespace(present=(top in columns)) -%}
    {%- if state.present and parts | length > 1 -%}
        {%- set type_text = columns[top] -%}
        {%- for part in parts[1:] -%}
            {%- if (part ~ ' ') not in type_text and ('"' ~ part ~ '"') not in type_text and (part ~ ':') not in type_text -%}
                {%- set state.present = false -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if state.present or not execute -%}
        {%- set quoted = [] -%}
        {%- for part in parts -%}{%- do quoted.append(adapter.quote(part)) -%}{%- endfor -%}
        {{ return('cast(raw.' ~ (quoted | join('.')) ~ ' as ' ~ sql_type ~ ')') }}
    {%- else -%}
        {{ return('cast(null as ' ~ sql_type ~ ')') }}
    {%- endif -%}
{% endmacro %}


{#- identityMap[namespace][first].id -#}
{% macro customer_ai_identity_map_id(namespace) %}
    {{ return(adapter.dispatch('customer_ai_identity_map_id', 'customer_ai')(namespace)) }}
{% endmacro %}
{% macro default__customer_ai_identity_map_id(namespace) -%}
    raw.{{ adapter.quote('identityMap') }}[{{ customer_ai_string_literal(namespace) }}][1].{{ adapter.quote('id') }}
{%- endmacro %}
{% macro spark__customer_ai_identity_map_id(namespace) -%}
    raw.`identityMap`[{{ customer_ai_string_literal(namespace) }}][0].`id`
{%- endmacro %}


{#- Sum of productListItems[].quantity, null when there are no items. -#}
{% macro customer_ai_item_quantity_sum(columns) %}
    {%- if 'productlistitems' not in columns and execute -%}{{ return('cast(null as double)') }}{%- endif -%}
    {{ return(adapter.dispatch('customer_ai_item_quantity_sum', 'customer_ai')()) }}
{% endmacro %}
{% macro default__customer_ai_item_quantity_sum() -%}
    cast(list_sum(list_transform(raw."productListItems", lambda item: item."quantity")) as double)
{%- endmacro %}
{% macro spark__customer_ai_item_quantity_sum() -%}
    cast(aggregate(transform(raw.`productListItems`, item -> item.`quantity`), 0D, (acc, q) -> acc + q) as double)
{%- endmacro %}


{#- A column of the flat layout (customer_ai__flat_columns maps canonical names to yours), or a typed null when the
    mapping is null or your data has no such column. -#}
{% macro customer_ai_flat_column(mapping, columns, key, sql_type) %}
    {%- set col = mapping.get(key) -%}
    {%- if col and ((col | lower) in columns or not execute) -%}
        {{ return('cast(raw.' ~ adapter.quote(col) ~ ' as ' ~ sql_type ~ ')') }}
    {%- else -%}
        {{ return('cast(null as ' ~ sql_type ~ ')') }}
    {%- endif -%}
{% endmacro %}
