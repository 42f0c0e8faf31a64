{#- Average and sum of a floating-point column, the same to the last bit from run to run: a parallel sum of doubles
    depends on the order the engine happens to add them in; a sum of decimals does not. 12 decimal places. -#}
{% macro customer_ai_exact_avg(expr) -%}
    cast(avg(cast({{ expr }} as decimal(38, 12))) as {{ customer_ai_type_double() }})
{%- endmacro %}
{% macro customer_ai_exact_sum(expr) -%}
    cast(sum(cast({{ expr }} as decimal(38, 12))) as {{ customer_ai_type_double() }})
{%- endmacro %}
