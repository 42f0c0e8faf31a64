{#- dbt's built-in `unique` test, counted by a 64-bit hash first (as unique_combination_of_columns is): grouping
    tens of millions of text ids by the ids themselves held a hash table of every id (53 s for the event ids of
    int_events_sessionized at a million profiles). Only the rows whose hash repeats are grouped by the column; equal
    values share a hash, so nothing is missed. Same result columns and null rule as dbt's own. -#}
{% macro default__test_unique(model, column_name) %}
{%- set value_hash = customer_ai_key_hash([column_name]) -%}

with

repeated_hashes as (

    select {{ value_hash }} as value_hash
    from {{ model }}
    where {{ column_name }} is not null
    group by {{ value_hash }}
    having count(*) > 1

)

select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where
    {{ column_name }} is not null
    and {{ value_hash }} in (select value_hash from repeated_hashes)
group by {{ column_name }}
having count(*) > 1

{% endmacro %}
