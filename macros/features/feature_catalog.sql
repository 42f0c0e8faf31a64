{#-
    Every feature the project computes, generated from the configuration: name, readable label (used by reason
    codes), group, and the SQL that computes it. Activity features aggregate the CTE `history` of
    int_profile_snapshots_featurized (one row per profile, snapshot, day and activity, days_before = 0 on the
    snapshot day); session features aggregate `session_history`. A custom event is one config entry and gets the
    same four features as a standard event type.

    Activity features are computed in two steps: the history is first reduced to one row per profile, snapshot
    and activity with a few fixed aggregates (events_7d, events_30d, events_90d, events_total, revenue_total,
    revenue_90d, first_days_before, last_days_before), and the expressions below pivot those rows (a dozen per
    profile and snapshot). Few aggregates over the big join, many cheap ones over the small result.
-#}
{% macro customer_ai_feature_catalog() %}
    {%- set features = [] -%}
    {%- set passive = var('customer_ai__passive_event_types', ['directMarketing.emailSent']) -%}
    {%- set passive_sql = customer_ai_literal_list(passive) -%}
    {%- set is_active = "activity not like 'custom.%' and activity not in " ~ passive_sql -%}

    {%- for a in customer_ai_feature_event_types() + customer_ai_custom_events() -%}
        {%- set act = customer_ai_literal(a.activity) -%}
        {%- for days in [7, 30, 90] -%}
            {%- do features.append({'name': a.slug ~ '_' ~ days ~ 'd', 'label': a.label ~ ' in the last ' ~ days ~ ' days',
                'group': 'events', 'source': 'activity',
                'expr': 'sum(case when activity = ' ~ act ~ ' then events_' ~ days ~ 'd else 0 end)'}) -%}
        {%- endfor -%}
        {%- do features.append({'name': a.slug ~ '_days_since_last', 'label': 'Days since last ' ~ a.noun,
            'group': 'recency', 'source': 'activity',
            'expr': 'min(case when activity = ' ~ act ~ ' then last_days_before end)'}) -%}
    {%- endfor -%}

    {%- set purchase = "activity = 'commerce.purchases'" -%}
    {%- do features.extend([
        {'name': 'orders_to_date', 'label': 'Orders to date', 'group': 'value', 'source': 'activity',
         'expr': 'sum(case when ' ~ purchase ~ ' then events_total else 0 end)'},
        {'name': 'revenue_to_date', 'label': 'Revenue to date', 'group': 'value', 'source': 'activity',
         'expr': 'round(coalesce(sum(case when ' ~ purchase ~ ' then revenue_total end), 0), 2)'},
        {'name': 'revenue_90d', 'label': 'Revenue in the last 90 days', 'group': 'value', 'source': 'activity',
         'expr': 'round(coalesce(sum(case when ' ~ purchase ~ ' then revenue_90d end), 0), 2)'},
        {'name': 'average_order_value', 'label': 'Average order value', 'group': 'value', 'source': 'activity',
         'expr': 'round(sum(case when ' ~ purchase ~ ' then revenue_total end), 2) / nullif(sum(case when ' ~ purchase ~ ' then events_total end), 0)'},
        {'name': 'days_since_first_purchase', 'label': 'Days since first purchase', 'group': 'recency', 'source': 'activity',
         'expr': 'max(case when ' ~ purchase ~ ' then first_days_before end)'},
        {'name': 'tenure_days', 'label': 'Days since first seen', 'group': 'recency', 'source': 'activity',
         'expr': 'max(first_days_before)'},
        {'name': 'interactions_30d', 'label': 'Interactions in the last 30 days', 'group': 'engagement', 'source': 'activity',
         'expr': 'sum(case when ' ~ is_active ~ ' then events_30d else 0 end)'},
        {'name': 'interactions_90d', 'label': 'Interactions in the last 90 days', 'group': 'engagement', 'source': 'activity',
         'expr': 'sum(case when ' ~ is_active ~ ' then events_90d else 0 end)'},
        {'name': 'active_days_30d', 'label': 'Active days in the last 30 days', 'group': 'engagement', 'source': 'activity',
         'expr': 'coalesce(max(active_days_30d), 0)'},
        {'name': 'days_since_last_interaction', 'label': 'Days since last interaction', 'group': 'recency', 'source': 'activity',
         'expr': 'min(case when ' ~ is_active ~ ' then last_days_before end)'},
        {'name': 'interaction_trend_30d_vs_90d', 'label': 'Recent interactions vs. 90-day rate', 'group': 'trend', 'source': 'activity',
         'expr': '3.0 * sum(case when ' ~ is_active ~ ' then events_30d else 0 end) / nullif(sum(case when ' ~ is_active ~ ' then events_90d else 0 end), 0)'},
        {'name': 'email_open_rate_90d', 'label': 'Email open rate (90 days)', 'group': 'email', 'source': 'activity',
         'expr': "1.0 * sum(case when activity = 'directMarketing.emailOpened' then events_90d else 0 end) / nullif(sum(case when activity = 'directMarketing.emailSent' then events_90d else 0 end), 0)"},
        {'name': 'email_click_rate_90d', 'label': 'Email click rate (90 days)', 'group': 'email', 'source': 'activity',
         'expr': "1.0 * sum(case when activity = 'directMarketing.emailClicked' then events_90d else 0 end) / nullif(sum(case when activity = 'directMarketing.emailSent' then events_90d else 0 end), 0)"},
        {'name': 'sessions_30d', 'label': 'Visits in the last 30 days', 'group': 'sessions', 'source': 'session',
         'expr': 'sum(case when days_before < 30 then 1 else 0 end)'},
        {'name': 'sessions_90d', 'label': 'Visits in the last 90 days', 'group': 'sessions', 'source': 'session',
         'expr': 'sum(case when days_before < 90 then 1 else 0 end)'},
        {'name': 'average_session_seconds_90d', 'label': 'Average visit length (90 days)', 'group': 'sessions', 'source': 'session',
         'expr': 'avg(case when days_before < 90 then duration_seconds end)'},
        {'name': 'days_since_last_session', 'label': 'Days since last visit', 'group': 'recency', 'source': 'session',
         'expr': 'min(days_before)'},
        {'name': 'session_trend_30d_vs_90d', 'label': 'Recent visits vs. 90-day rate', 'group': 'trend', 'source': 'session',
         'expr': '3.0 * sum(case when days_before < 30 then 1 else 0 end) / nullif(sum(case when days_before < 90 then 1 else 0 end), 0)'},
    ]) -%}

    {%- set attrs = var('customer_ai__profile_attributes', none) -%}
    {%- if attrs -%}
        {%- for col in attrs.get('columns', []) if not col.get('personal_data', false) -%}
            {%- do features.append({'name': 'attr_' ~ customer_ai_slug(col.name), 'label': col.get('label') or (col.name | replace('_', ' ') | capitalize),
                'group': 'attribute', 'source': 'attribute', 'column': col.name,
                'value_type': 'categorical' if col.get('type', 'numeric') == 'categorical' else 'numeric'}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(features) }}
{% endmacro %}


{% macro customer_ai_literal_list(values) -%}
    {%- set items = [] -%}
    {%- for v in values -%}{%- do items.append(customer_ai_literal(v)) -%}{%- endfor -%}
    {{- '(' ~ (items | join(', ') if items else 'null') ~ ')' -}}
{%- endmacro %}
