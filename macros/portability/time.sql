{#- Whole seconds since 1970-01-01 UTC of a timestamp, fractions dropped (floor) on every engine: Spark's
    unix_timestamp truncates, DuckDB's epoch() has the fraction and a plain cast would round. Session gaps compare
    these instead of dbt.datediff, which rounds to whole units differently on Spark. -#}
{% macro customer_ai_epoch_seconds(timestamp_expr) %}
    {{ return(adapter.dispatch('customer_ai_epoch_seconds', 'customer_ai')(timestamp_expr)) }}
{% endmacro %}
{% macro default__customer_ai_epoch_seconds(timestamp_expr) -%}
    cast(extract(epoch from {{ timestamp_expr }}) as bigint)
{%- endmacro %}
{% macro duckdb__customer_ai_epoch_seconds(timestamp_expr) -%}
    cast(floor(epoch({{ timestamp_expr }})) as bigint)
{%- endmacro %}
{% macro spark__customer_ai_epoch_seconds(timestamp_expr) -%}
    cast(unix_timestamp({{ timestamp_expr }}) as bigint)
{%- endmacro %}


{#- Parse an input timestamp (text in ISO 8601 with or without an offset, or a timestamp type) to a UTC timestamp
    without time zone; null when it cannot be parsed. -#}
{% macro customer_ai_parse_timestamp_utc(expr) %}
    {{ return(adapter.dispatch('customer_ai_parse_timestamp_utc', 'customer_ai')(expr)) }}
{% endmacro %}
{% macro default__customer_ai_parse_timestamp_utc(expr) -%}
    cast({{ expr }} as timestamp)
{%- endmacro %}
{% macro duckdb__customer_ai_parse_timestamp_utc(expr) -%}
    {#- timestamptz parsing honours Z and +hh:mm offsets; the session time zone is UTC (profiles.yml), so values
        without an offset are read as UTC. -#}
    cast(timezone('UTC', try_cast(try_cast({{ expr }} as varchar) as timestamptz)) as timestamp)
{%- endmacro %}
{% macro spark__customer_ai_parse_timestamp_utc(expr) -%}
    to_utc_timestamp(try_cast(cast({{ expr }} as string) as timestamp), current_timezone())
{%- endmacro %}


{#- Whole days from start_date to end_date (both dates). -#}
{% macro customer_ai_days_between(start_date, end_date) %}
    {{ return(adapter.dispatch('customer_ai_days_between', 'customer_ai')(start_date, end_date)) }}
{% endmacro %}
{% macro default__customer_ai_days_between(start_date, end_date) -%}
    {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}
{% macro duckdb__customer_ai_days_between(start_date, end_date) -%}
    cast({{ end_date }} - {{ start_date }} as integer)
{%- endmacro %}
{% macro spark__customer_ai_days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}


{#- A date literal from a YYYY-MM-DD string. -#}
{% macro customer_ai_date_literal(text) -%}
    cast({{ customer_ai_string_literal(text | string) }} as date)
{%- endmacro %}


{#- Midnight of a day (a date or a YYYY-MM-DD string) as a timestamp without time zone. -#}
{% macro customer_ai_timestamp_literal(day) -%}
    cast({{ customer_ai_string_literal(day | string) }} as timestamp)
{%- endmacro %}
