{#-
    Text and number handling for input values, dispatched per engine. Every value that comes from outside (events,
    files, settings) passes through one of these before it is compared or stored.
-#}

{#- An identifier (column, table, schema) from the configuration, quoted for the engine with any embedded quote
    character doubled, so that a name can never end the quoted identifier early. The configuration check also
    refuses names outside a strict pattern (customer_ai_identifier_errors); this is the second line of defence. -#}
{% macro customer_ai_quote(name) %}
    {{ return(adapter.dispatch('customer_ai_quote', 'customer_ai')(name | string)) }}
{% endmacro %}
{% macro default__customer_ai_quote(name) -%}
    {{ return('"' ~ name | replace('"', '""') ~ '"') }}
{%- endmacro %}
{% macro spark__customer_ai_quote(name) -%}
    {{ return('`' ~ name | replace('`', '``') ~ '`') }}
{%- endmacro %}


{#- Text with blanks and invisible characters (white space, tabs, line breaks, zero-width spaces, byte-order marks,
    other Unicode separator and control characters) removed from both ends; null when nothing is left. An id made
    only of such characters is no id. -#}
{% macro customer_ai_clean_text(expr) %}
    {{ return(adapter.dispatch('customer_ai_clean_text', 'customer_ai')(expr)) }}
{% endmacro %}
{% macro default__customer_ai_clean_text(expr) -%}
    nullif(regexp_replace(cast({{ expr }} as {{ dbt.type_string() }}), '^[\s\p{Z}\p{C}]+|[\s\p{Z}\p{C}]+$', '', 'g'), '')
{%- endmacro %}
{% macro spark__customer_ai_clean_text(expr) -%}
    nullif(regexp_replace(cast({{ expr }} as string), '^[\\s\\p{Z}\\p{C}]+|[\\s\\p{Z}\\p{C}]+$', ''), '')
{%- endmacro %}


{#- Whether a type (as the engine describes it) is a number type, so that a value of it needs no parsing. -#}
{% macro customer_ai_is_number_type(type_text) %}
    {%- set t = (type_text or '') | string | lower | trim -%}
    {{ return(t in ['double', 'float', 'real', 'float4', 'float8', 'integer', 'int', 'bigint', 'long', 'smallint',
        'short', 'tinyint', 'byte', 'hugeint', 'uhugeint', 'ubigint', 'uinteger', 'usmallint', 'utinyint']
        or t.startswith('decimal')) }}
{% endmacro %}


{#- A value as an 8-byte float: cast directly when its type is a number type, else parsed from its text (blanks and
    JSON quotes around it ignored) and null when the text is not a number ('abc', a list). NaN and infinities parse
    as such; the validation step rejects them. -#}
{% macro customer_ai_parse_number(expr, type_text) %}
    {%- if customer_ai_is_number_type(type_text) -%}
        {{ return('cast(' ~ expr ~ ' as ' ~ customer_ai_type_double() ~ ')') }}
    {%- endif -%}
    {{ return(adapter.dispatch('customer_ai_parse_number', 'customer_ai')(expr)) }}
{% endmacro %}
{% macro default__customer_ai_parse_number(expr) -%}
    try_cast(trim(cast({{ expr }} as {{ dbt.type_string() }}), ' "') as {{ customer_ai_type_double() }})
{%- endmacro %}
{% macro spark__customer_ai_parse_number(expr) -%}
    try_cast(trim(BOTH ' "' FROM cast({{ expr }} as string)) as double)
{%- endmacro %}


{#- True for a number that is neither NaN nor +/- infinity (null stays null). -#}
{% macro customer_ai_is_finite(expr) %}
    {{ return(adapter.dispatch('customer_ai_is_finite', 'customer_ai')(expr)) }}
{% endmacro %}
{% macro default__customer_ai_is_finite(expr) -%}
    isfinite({{ expr }})
{%- endmacro %}
{% macro spark__customer_ai_is_finite(expr) -%}
    (not isnan({{ expr }}) and abs({{ expr }}) <> double('infinity'))
{%- endmacro %}


{#- The median of a column (exact). -#}
{% macro customer_ai_median(expr) %}
    {{ return(adapter.dispatch('customer_ai_median', 'customer_ai')(expr)) }}
{% endmacro %}
{% macro default__customer_ai_median(expr) -%}
    median({{ expr }})
{%- endmacro %}
{% macro spark__customer_ai_median(expr) -%}
    percentile({{ expr }}, 0.5)
{%- endmacro %}
