{#-
    The types of an event that sessions count (int_sessions_aggregated), as flags: int_events_sessionized keeps these
    instead of the event's whole list of types (a narrower row for its window passes to sort). One definition, flag
    column by event type, for the model and for the columns the resessionize fingerprints compare.
-#}
{% macro customer_ai_session_flagged_types() %}
    {{ return({
        'is_page_view': 'web.webpagedetails.pageViews',
        'is_product_view': 'commerce.productViews',
        'is_purchase': 'commerce.purchases',
    }) }}
{% endmacro %}

{#- The flags as select expressions, one per line, from the array column `event_types`. -#}
{% macro customer_ai_session_type_flags(event_types) -%}
    {%- for flag, event_type in customer_ai_session_flagged_types().items() %}
    {%- if not loop.first %}
    {% endif -%}
    {{ customer_ai_array_contains(event_types, customer_ai_string_literal(event_type)) }} as {{ flag }}
    {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
