{#-
    Fields of stg_experience_events that goal, eligibility, exclusion and custom-event conditions may use,
    with their type: string fields take text operators, number fields take comparisons.
-#}
{% macro customer_ai_condition_fields() %}
    {%- set fields = {
        'event_type': 'string', 'revenue': 'number', 'quantity': 'number', 'purchase_id': 'string',
        'page_name': 'string', 'page_url': 'string', 'channel': 'string'
    } -%}
    {#- only well-formed entries: the input check reports the others, and this runs inside the check -#}
    {%- set passthrough = var('customer_ai__passthrough_fields') or [] -%}
    {%- for f in (passthrough if passthrough is not string and passthrough is not mapping else [])
            if f is mapping and f.get('name') is string -%}
        {%- do fields.update({f.name: f.get('type', 'string')}) -%}
    {%- endfor -%}
    {{ return(fields) }}
{% endmacro %}

{% macro customer_ai_operators() %}
    {{ return(['exists', 'equals', 'not_equals', 'in', 'starts_with', 'contains', 'gt', 'gte', 'lt', 'lte']) }}
{% endmacro %}
