{#-
    Arrays of text, dispatched per engine: an event's list of types (stg_experience_events.event_types) is built,
    searched and unnested with these.
-#}

{#- An array of the non-null values of the given SQL expressions, in the order given. -#}
{% macro customer_ai_array_compact(expressions) %}
    {{ return(adapter.dispatch('customer_ai_array_compact', 'customer_ai')(expressions)) }}
{% endmacro %}
{% macro default__customer_ai_array_compact(expressions) -%}
    list_filter([{{ expressions | join(', ') }}], lambda value: value is not null)
{%- endmacro %}
{% macro spark__customer_ai_array_compact(expressions) -%}
    filter(array({{ expressions | join(', ') }}), value -> value is not null)
{%- endmacro %}


{#- Whether the array holds the value (value_sql is a SQL expression, e.g. a literal). -#}
{% macro customer_ai_array_contains(array_expr, value_sql) %}
    {{ return(adapter.dispatch('customer_ai_array_contains', 'customer_ai')(array_expr, value_sql)) }}
{% endmacro %}
{% macro default__customer_ai_array_contains(array_expr, value_sql) -%}
    list_contains({{ array_expr }}, {{ value_sql }})
{%- endmacro %}
{% macro spark__customer_ai_array_contains(array_expr, value_sql) -%}
    array_contains({{ array_expr }}, {{ value_sql }})
{%- endmacro %}


{#- Whether the array holds a value that is not in the list of literals (e.g. a type that is not passive). -#}
{% macro customer_ai_array_has_other_than(array_expr, literals) %}
    {{ return(adapter.dispatch('customer_ai_array_has_other_than', 'customer_ai')(array_expr, literals)) }}
{% endmacro %}
{% macro default__customer_ai_array_has_other_than(array_expr, literals) -%}
    len(list_filter({{ array_expr }}, lambda value: value not in {{ customer_ai_literal_list(literals) }})) > 0
{%- endmacro %}
{% macro spark__customer_ai_array_has_other_than(array_expr, literals) -%}
    exists({{ array_expr }}, value -> value not in {{ customer_ai_literal_list(literals) }})
{%- endmacro %}


{#- In a select list: one output row per element of the array (rows with an empty array disappear). -#}
{% macro customer_ai_unnest(array_expr) %}
    {{ return(adapter.dispatch('customer_ai_unnest', 'customer_ai')(array_expr)) }}
{% endmacro %}
{% macro default__customer_ai_unnest(array_expr) -%}
    unnest({{ array_expr }})
{%- endmacro %}
{% macro spark__customer_ai_unnest(array_expr) -%}
    explode({{ array_expr }})
{%- endmacro %}
