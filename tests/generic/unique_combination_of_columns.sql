{#- The combination of the given columns is unique: the primary key test of models with a composite grain.

    Keys are first counted by a 64-bit hash of the combination, and only the rows whose hash repeats are grouped by
    the columns themselves. Equal keys always share a hash, so nothing is missed, and a hash collision only sends
    two distinct keys to the exact check. Grouping tens of millions of rows by a number instead of by text and
    dates keeps the aggregate small enough not to spill. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set key = combination_of_columns | join(', ') -%}
{%- set key_hash = customer_ai_key_hash(combination_of_columns) -%}

with

repeated_hashes as (

    select {{ key_hash }} as key_hash
    from {{ model }}
    group by {{ key_hash }}
    having count(*) > 1

),

grouped as (

    select
        {{ key }},
        count(*) as rows_with_this_key
    from {{ model }}
    where {{ key_hash }} in (select key_hash from repeated_hashes)
    group by {{ key }}
    having count(*) > 1

)

select * from grouped

{% endtest %}
