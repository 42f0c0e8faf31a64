{#- Average and sum of a floating-point column, the same to the last bit from run to run and from engine to engine.
    A parallel sum of doubles depends on the order the engine happens to add them in; a sum of integers does not.
    Each value is rounded to `digits` decimal places as a whole number of 10^-digits (x * 10^digits, rounded: the
    same IEEE operations on every engine, and exact while |x| * 10^digits < 2^53), summed exactly as decimals, and
    the total reaches a double through its text, which every engine parses to the nearest double. Casting a double
    straight to a decimal rounds differently from engine to engine. -#}
{% macro customer_ai_exact_sum(expr, digits=12) -%}
    {%- set double = customer_ai_type_double() -%}
    cast(cast(sum(cast(round({{ expr }} * 1e{{ digits }}) as decimal(38, 0))) as {{ dbt.type_string() }}) as {{ double }})
        / cast(1e{{ digits }} as {{ double }})
{%- endmacro %}
{% macro customer_ai_exact_avg(expr, digits=12) -%}
    {{ customer_ai_exact_sum(expr, digits) }} / nullif(cast(count({{ expr }}) as {{ customer_ai_type_double() }}), 0)
{%- endmacro %}


{#- numerator / denominator (times factor) in 8-byte floats, null when the denominator is 0: `1.0 * a / b` would
    be a decimal division on Spark and a double one on DuckDB, with different last digits and types. -#}
{% macro customer_ai_ratio(numerator, denominator, factor=none) -%}
    {%- set double = customer_ai_type_double() -%}
    {%- if factor is not none -%}cast({{ factor }} as {{ double }}) * {% endif -%}
    cast({{ numerator }} as {{ double }}) / nullif(cast({{ denominator }} as {{ double }}), 0)
{%- endmacro %}


{#- The values of a text column, sorted and joined with a separator (in an aggregate). dbt.listagg's order by is
    ignored on Spark, which would leave the list in whatever order the rows arrived. -#}
{% macro customer_ai_sorted_string_agg(expr, separator) %}
    {{ return(adapter.dispatch('customer_ai_sorted_string_agg', 'customer_ai')(expr, separator)) }}
{% endmacro %}
{% macro default__customer_ai_sorted_string_agg(expr, separator) -%}
    {{ dbt.listagg(expr, customer_ai_string_literal(separator), 'order by ' ~ expr) }}
{%- endmacro %}
{% macro spark__customer_ai_sorted_string_agg(expr, separator) -%}
    array_join(array_sort(collect_list({{ expr }})), {{ customer_ai_string_literal(separator) }})
{%- endmacro %}
{#- DuckDB: the list sorted once per group, as on Spark; string_agg's ordered form sorted every group's rows apart
    (dim_customer_profiles' segment lists at a million profiles: 1.15-1.35 s against 0.59-0.61 s, the same text). -#}
{% macro duckdb__customer_ai_sorted_string_agg(expr, separator) -%}
    array_to_string(list_sort(list({{ expr }}) filter (where {{ expr }} is not null)), {{ customer_ai_string_literal(separator) }})
{%- endmacro %}
