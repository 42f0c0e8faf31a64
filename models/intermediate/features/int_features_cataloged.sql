/*
    The feature catalog as a table: every feature's name, readable label and group, in model order.
*/

with

catalog as (

    {%- for f in customer_ai_feature_catalog() %}
    select
        {{ loop.index }} as feature_position,
        {{ customer_ai_literal(f.name) }} as feature_name,
        {{ customer_ai_literal(f.label) }} as feature_label,
        {{ customer_ai_literal(f.group) }} as feature_group,
        {{ customer_ai_literal(f.get('value_type', 'numeric')) }} as value_type
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select * from catalog
