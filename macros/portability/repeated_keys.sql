{#- The keys that occur more than once in a relation: one row per repeated key, with its columns and
    `rows_with_this_key`. Rows where `where` (a SQL condition the project writes, never a setting) is false are left
    out.

    Keys are first counted by a 64-bit hash of the key columns (customer_ai_key_hash), and only the rows whose hash
    repeats are grouped by the columns themselves. Equal keys always share a hash, so no repeated key is missed, and
    a hash collision only sends two distinct keys to the exact check. Grouping tens of millions of rows by one number
    instead of by text ids and dates makes the aggregate smaller: at a million profiles the key test of the condition
    flags went from 58.5 s and 6.8 GiB to 15.3 s and 4.7 GiB (BENCHMARKS.md). Used by the key tests and by the
    staging's duplicate event ids. -#}
{% macro customer_ai_repeated_keys(relation, columns, where=none) %}
{%- set key = columns | join(', ') -%}
{%- set key_hash = customer_ai_key_hash(columns) -%}
{%- set row_filter = '(' ~ where ~ ') and ' if where else '' -%}
select
    {{ key }},
    count(*) as rows_with_this_key
from {{ relation }}
where
    {{ row_filter }}{{ key_hash }} in (
        select {{ key_hash }}
        from {{ relation }}
        {%- if where %}
        where {{ where }}
        {%- endif %}
        group by {{ key_hash }}
        having count(*) > 1
    )
group by {{ key }}
having count(*) > 1
{%- endmacro %}
