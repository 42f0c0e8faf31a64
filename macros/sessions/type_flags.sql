{#-
    The types of an event that sessions count (int_sessions_aggregated), as flags: int_events_sessionized keeps these
    instead of the event's whole list of types (a narrower row for its window passes to sort).
-#}
{% macro customer_ai_session_type_flags(event_types) -%}
    {{ customer_ai_array_contains(event_types, "'web.webpagedetails.pageViews'") }} as is_page_view,
    {{ customer_ai_array_contains(event_types, "'commerce.productViews'") }} as is_product_view,
    {{ customer_ai_array_contains(event_types, "'commerce.purchases'") }} as is_purchase
{%- endmacro %}
