{#-
    Values from the configuration are turned into SQL literals here and only here: text is quoted and escaped,
    numbers are re-rendered from their parsed value. A value such as  O'Brien'; drop table x; --  becomes one
    harmless string literal.
-#}
{% macro customer_ai_string_literal(value) %}
    {{ return(adapter.dispatch('customer_ai_string_literal', 'customer_ai')(value)) }}
{% endmacro %}
{% macro default__customer_ai_string_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}
{% macro spark__customer_ai_string_literal(value) -%}
    {#- Spark SQL reads backslash escapes inside string literals: escape the backslash first. -#}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{% macro customer_ai_literal(value) %}
    {%- if value is number and value is not boolean -%}
        {{ return(value | float | string if value is not integer else value | int | string) }}
    {%- elif value is boolean -%}
        {{ return('true' if value else 'false') }}
    {%- elif value is none -%}
        {{ return('null') }}
    {%- else -%}
        {{ return(customer_ai_string_literal(value)) }}
    {%- endif -%}
{% endmacro %}



{#- 8-byte floating point (dbt.type_float() is a 4-byte REAL on DuckDB, too coarse for money). -#}
{% macro customer_ai_type_double() %}
    {{ return(adapter.dispatch('customer_ai_type_double', 'customer_ai')()) }}
{% endmacro %}
{% macro default__customer_ai_type_double() -%}
    double
{%- endmacro %}
{% macro postgres__customer_ai_type_double() -%}
    double precision
{%- endmacro %}


{#- A 64-bit integer hash of an expression (for cheap grouping and sorting; not a unique key on its own). -#}
{% macro customer_ai_hash64(expr) %}
    {{ return(adapter.dispatch('customer_ai_hash64', 'customer_ai')(expr)) }}
{% endmacro %}
{% macro default__customer_ai_hash64(expr) -%}
    {{ dbt.hash(expr) }}
{%- endmacro %}
{% macro duckdb__customer_ai_hash64(expr) -%}
    hash({{ expr }})
{%- endmacro %}
{% macro spark__customer_ai_hash64(expr) -%}
    xxhash64({{ expr }})
{%- endmacro %}


{#- A hash of a combination of columns, never null (null parts hash too), equal for equal combinations: a cheap
    grouping key for finding repeated keys, to be checked on the columns themselves (distinct keys may collide). -#}
{% macro customer_ai_key_hash(columns) %}
    {{ return(adapter.dispatch('customer_ai_key_hash', 'customer_ai')(columns)) }}
{% endmacro %}
{% macro default__customer_ai_key_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.extend(["coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')", "'|'"]) -%}
    {%- endfor -%}
    {{ customer_ai_hash64(dbt.concat(parts)) }}
{%- endmacro %}
{% macro duckdb__customer_ai_key_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__customer_ai_key_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}


{#- A per-group fingerprint of rows: the sum of a 64-bit hash of the given columns (in an aggregate). Two groups
    with the same rows have the same fingerprint, whatever the order; a changed, added or removed row changes it
    (barring a hash collision). Only compared within one engine. -#}
{% macro customer_ai_fingerprint_sum(columns) %}
    {{ return(adapter.dispatch('customer_ai_fingerprint_sum', 'customer_ai')(columns)) }}
{% endmacro %}
{% macro default__customer_ai_fingerprint_sum(columns) -%}
    sum(cast({{ customer_ai_hash64(dbt.concat(columns)) }} as decimal(38, 0)))
{%- endmacro %}
{% macro duckdb__customer_ai_fingerprint_sum(columns) -%}
    sum({{ customer_ai_key_hash(columns) }})
{%- endmacro %}
{% macro spark__customer_ai_fingerprint_sum(columns) -%}
    sum(cast({{ customer_ai_key_hash(columns) }} as decimal(38, 0)))
{%- endmacro %}

