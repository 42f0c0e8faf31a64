{#- dbt's built-in `unique` test, counted by a 64-bit hash first (customer_ai_repeated_keys, as
    unique_combination_of_columns is): grouping tens of millions of text ids by the ids themselves held a hash table
    of every id (53 s for the event ids of int_events_sessionized at a million profiles). Same result columns and
    null rule as dbt's own: nulls are not values, so they never repeat. -#}
{% macro default__test_unique(model, column_name) %}

with

repeated_values as (

    {{ customer_ai_repeated_keys(model, [column_name], column_name ~ ' is not null') | indent(4) }}

)

select
    {{ column_name }} as unique_field,
    rows_with_this_key as n_records
from repeated_values

{% endmacro %}
