{#-
    Every feature the project computes, generated from the configuration: name, readable label (used by reason
    codes), group, where int_profile_snapshots_featurized computes it (source), and how. A custom event is one
    config entry and gets the same four features as a standard event type.

    int_profile_snapshots_featurized first reduces the history to rows per profile, snapshot and activity
    (days_before = 0 on the snapshot day; a day is in the last N days when days_before < N):
      - recent_activity_windows (the longest feature window, 90 days): events_<N>d for each window N, revenue_90d
      - lifetime_activity_windows (everything up to the snapshot): events_total, revenue_total,
        first_days_before, last_days_before
    and then turns them into one row per profile and snapshot. The sources:
      - event_type: one column of one activity's row, looked up with a join (`window` says which table,
        `column` which column, `default` fills a missing row). Looking up beats a 40-column CASE pivot, whose
        wide aggregate states spilled to disk at a million profiles.
      - recent / lifetime: `expr` aggregates that table's rows of the profile and snapshot; active_days_30d is
        also at hand in `recent`.
      - session: `expr` aggregates the session_windows rows (sessions_30d, sessions_90d, duration_seconds_90d,
        timed_sessions_90d, last_days_before; columns a row does not carry are 0 or null).
      - attribute: a column of stg_profile_attributes.
    `default` (optional) replaces null when the profile has no row in that source at the snapshot.
-#}
{% macro customer_ai_feature_catalog() %}
    {%- set features = [] -%}
    {%- set is_active = customer_ai_is_interaction('activity') -%}

    {%- for a in customer_ai_feature_event_types() + customer_ai_custom_events() -%}
        {%- for days in customer_ai_feature_windows() -%}
            {%- do features.append({'name': a.slug ~ '_' ~ days ~ 'd', 'label': a.label ~ ' in the last ' ~ days ~ ' days',
                'group': 'events', 'source': 'event_type', 'activity': a.activity, 'slug': a.slug,
                'window': 'recent', 'column': 'events_' ~ days ~ 'd', 'default': 0}) -%}
        {%- endfor -%}
        {%- do features.append({'name': a.slug ~ '_days_since_last', 'label': 'Days since last ' ~ a.noun,
            'group': 'recency', 'source': 'event_type', 'activity': a.activity, 'slug': a.slug,
            'window': 'lifetime', 'column': 'last_days_before'}) -%}
    {%- endfor -%}

    {%- set purchase = "activity = 'commerce.purchases'" -%}
    {%- do features.extend([
        {'name': 'orders_to_date', 'label': 'Orders to date', 'group': 'value', 'source': 'lifetime',
         'expr': 'sum(case when ' ~ purchase ~ ' then events_total else 0 end)'},
        {'name': 'revenue_to_date', 'label': 'Revenue to date', 'group': 'value', 'source': 'lifetime',
         'expr': 'round(coalesce(sum(case when ' ~ purchase ~ ' then revenue_total end), 0), 2)'},
        {'name': 'revenue_90d', 'label': 'Revenue in the last 90 days', 'group': 'value', 'source': 'recent',
         'expr': 'round(coalesce(sum(case when ' ~ purchase ~ ' then revenue_90d end), 0), 2)', 'default': 0},
        {'name': 'average_order_value', 'label': 'Average order value', 'group': 'value', 'source': 'lifetime',
         'expr': 'round(sum(case when ' ~ purchase ~ ' then revenue_total end), 2) / nullif(sum(case when ' ~ purchase ~ ' then events_total end), 0)'},
        {'name': 'days_since_first_purchase', 'label': 'Days since first purchase', 'group': 'recency', 'source': 'lifetime',
         'expr': 'max(case when ' ~ purchase ~ ' then first_days_before end)'},
        {'name': 'tenure_days', 'label': 'Days since first seen', 'group': 'recency', 'source': 'lifetime',
         'expr': 'max(first_days_before)'},
        {'name': 'interactions_30d', 'label': 'Interactions in the last 30 days', 'group': 'engagement', 'source': 'recent',
         'expr': 'sum(case when ' ~ is_active ~ ' then events_30d else 0 end)', 'default': 0},
        {'name': 'interactions_90d', 'label': 'Interactions in the last 90 days', 'group': 'engagement', 'source': 'recent',
         'expr': 'sum(case when ' ~ is_active ~ ' then events_90d else 0 end)', 'default': 0},
        {'name': 'active_days_30d', 'label': 'Active days in the last 30 days', 'group': 'engagement', 'source': 'recent',
         'expr': 'coalesce(max(active_days_30d), 0)', 'default': 0},
        {'name': 'days_since_last_interaction', 'label': 'Days since last interaction', 'group': 'recency', 'source': 'lifetime',
         'expr': 'min(case when ' ~ is_active ~ ' then last_days_before end)'},
        {'name': 'interaction_trend_30d_vs_90d', 'label': 'Recent interactions vs. 90-day rate', 'group': 'trend', 'source': 'recent',
         'expr': customer_ai_ratio('sum(case when ' ~ is_active ~ ' then events_30d else 0 end)', 'sum(case when ' ~ is_active ~ ' then events_90d else 0 end)', 3)},
        {'name': 'email_open_rate_90d', 'label': 'Email open rate (90 days)', 'group': 'email', 'source': 'recent',
         'expr': customer_ai_ratio("sum(case when activity = 'directMarketing.emailOpened' then events_90d else 0 end)", "sum(case when activity = 'directMarketing.emailSent' then events_90d else 0 end)")},
        {'name': 'email_click_rate_90d', 'label': 'Email click rate (90 days)', 'group': 'email', 'source': 'recent',
         'expr': customer_ai_ratio("sum(case when activity = 'directMarketing.emailClicked' then events_90d else 0 end)", "sum(case when activity = 'directMarketing.emailSent' then events_90d else 0 end)")},
        {'name': 'sessions_30d', 'label': 'Visits in the last 30 days', 'group': 'sessions', 'source': 'session',
         'expr': 'sum(sessions_30d)', 'default': 0},
        {'name': 'sessions_90d', 'label': 'Visits in the last 90 days', 'group': 'sessions', 'source': 'session',
         'expr': 'sum(sessions_90d)', 'default': 0},
        {'name': 'average_session_seconds_90d', 'label': 'Average visit length (90 days)', 'group': 'sessions', 'source': 'session',
         'expr': customer_ai_ratio('sum(duration_seconds_90d)', 'sum(timed_sessions_90d)')},
        {'name': 'days_since_last_session', 'label': 'Days since last visit', 'group': 'recency', 'source': 'session',
         'expr': 'min(last_days_before)'},
        {'name': 'session_trend_30d_vs_90d', 'label': 'Recent visits vs. 90-day rate', 'group': 'trend', 'source': 'session',
         'expr': customer_ai_ratio('sum(sessions_30d)', 'sum(sessions_90d)', 3)},
    ]) -%}

    {%- set attrs = var('customer_ai__profile_attributes') -%}
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
