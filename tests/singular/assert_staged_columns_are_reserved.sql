{#-
    Every column of the staging models is a name a pass-through field cannot take (customer_ai_staged_event_columns,
    macros/config/validate_input.sql), so a column added to staging cannot be shadowed by a user's field unnoticed.
    One row per column that the list misses.
-#}
-- depends_on: {{ ref('stg_experience_events__parsed') }}
-- depends_on: {{ ref('stg_experience_events__validated') }}
-- depends_on: {{ ref('stg_experience_events') }}
{%- set known_columns = customer_ai_staged_event_columns()
    + ((var('customer_ai__passthrough_fields') or []) | map(attribute='name') | list) -%}
{%- set unlisted = [] -%}
{%- if execute -%}
    {%- for model in ['stg_experience_events__parsed', 'stg_experience_events__validated', 'stg_experience_events'] -%}
        {%- for column in adapter.get_columns_in_relation(ref(model)) if column.name | lower not in known_columns -%}
            {%- do unlisted.append(model ~ '.' ~ column.name | lower) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif -%}

{%- for column in unlisted %}
select {{ customer_ai_string_literal(column) }} as unlisted_column
{{ 'union all' if not loop.last }}
{%- else %}
select cast(null as {{ dbt.type_string() }}) as unlisted_column
where 1 = 0
{%- endfor %}
