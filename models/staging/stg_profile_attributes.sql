/*
    Optional per-profile attributes (customer_ai__profile_attributes), one row per profile. Columns marked
    personal_data: true are not even read. With no attributes configured this is an empty table, so that the
    feature model can always join it.
*/
{%- set attrs = var('customer_ai__profile_attributes') -%}

{% if attrs %}
{%- if attrs.relation.source is defined -%}
    {%- set relation = source(attrs.relation.source[0], attrs.relation.source[1]) -%}
{%- else -%}
    {%- set relation = api.Relation.create(
        database=attrs.relation.get('database') or target.database,
        schema=attrs.relation.get('schema') or target.schema,
        identifier=attrs.relation.table) -%}
{%- endif %}

with

attributes as (

    select * from {{ relation }}

),

final as (

    select
        cast({{ adapter.quote(attrs.get('profile_id_column', 'profile_id')) }} as {{ dbt.type_string() }}) as profile_id
        {%- for col in attrs.get('columns', []) if not col.get('personal_data', false) %},
        {%- if col.get('type', 'numeric') == 'categorical' %}
        cast({{ adapter.quote(col.name) }} as {{ dbt.type_string() }}) as {{ adapter.quote('attr_' ~ customer_ai_slug(col.name)) }}
        {%- else %}
        cast({{ adapter.quote(col.name) }} as {{ customer_ai_type_double() }}) as {{ adapter.quote('attr_' ~ customer_ai_slug(col.name)) }}
        {%- endif %}
        {%- endfor %}
    from attributes

)

select * from final

{% else %}

select cast(null as {{ dbt.type_string() }}) as profile_id
where 1 = 0

{% endif %}
