{#-
    Every feature the project computes, in column order: name, readable label (used by reason codes), group, and the
    model that computes it (source). Three kinds:
      - per event type and custom event (generated, the types come from the configuration): its events in the last
        N days for each feature window N and the days since the last one, looked up in
        int_profile_activities_windowed_to_snapshots (`column` events_<N>d, `default` 0 when the profile has no
        row) and int_profile_activities_accumulated_to_snapshots (`column` last_days_before);
      - the fixed features: plain SQL columns of the feature models (customer_ai_feature_models), each described in
        models/intermediate/features/_features__models.yml with `config.meta` label and group (and `default`, the
        value when the profile has no row in that model at the snapshot). The YAML is read from dbt's graph, so it
        is known only while dbt executes; while dbt parses the list holds the generated features only;
      - profile attributes (customer_ai__profile_attributes), columns of stg_profile_attributes.
-#}
{% macro customer_ai_feature_catalog() %}
    {%- set features = [] -%}

    {%- for a in customer_ai_feature_event_types() + customer_ai_custom_events() -%}
        {%- for days in customer_ai_feature_windows() -%}
            {%- do features.append({'name': a.slug ~ '_' ~ days ~ 'd', 'label': a.label ~ ' in the last ' ~ days ~ ' days',
                'group': 'events', 'source': 'event_type', 'activity': a.activity, 'slug': a.slug,
                'window': 'recent', 'column': 'events_' ~ days ~ 'd', 'default': 0}) -%}
        {%- endfor -%}
        {%- do features.append({'name': a.slug ~ '_days_since_last', 'label': 'Days since last ' ~ a.noun,
            'group': 'recency', 'source': 'event_type', 'activity': a.activity, 'slug': a.slug,
            'window': 'lifetime', 'column': 'last_days_before', 'default': none}) -%}
    {%- endfor -%}

    {%- for model_name in customer_ai_feature_models() -%}
        {%- do features.extend(customer_ai_documented_features(model_name)) -%}
    {%- endfor -%}

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


{#- The models whose documented columns are the fixed features, in column order. The first is the population: every
    profile seen on or before the snapshot; int_profile_snapshots_featurized left-joins the others onto it. -#}
{% macro customer_ai_feature_models() %}
    {{ return(['int_profile_lifetime_features_computed', 'int_profile_recent_features_computed',
        'int_profile_visit_features_computed']) }}
{% endmacro %}


{#- The columns of a feature model that are not features: its keys, what its rows were computed from
    (inputs_fingerprint, snapshot_incremental.sql) and when (computed_at: macros/testing/where.sql). -#}
{% macro customer_ai_feature_model_keys() %}
    {{ return(['profile_id', 'snapshot_date', 'inputs_fingerprint', 'computed_at']) }}
{% endmacro %}


{#- The features of one feature model: its YAML columns except the keys, with their config.meta. -#}
{% macro customer_ai_documented_features(model_name) %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set nodes = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', model_name) | list -%}
    {%- if nodes | length != 1 -%}
        {{ exceptions.raise_compiler_error('Feature model ' ~ model_name ~ ' is not in the project.') }}
    {%- endif -%}
    {%- set features = [] -%}
    {%- for column in nodes[0].columns.values() if column.name not in customer_ai_feature_model_keys() -%}
        {%- set meta = (column.get('config') or {}).get('meta') or column.get('meta') or {} -%}
        {%- if not meta.get('label') or not meta.get('group') -%}
            {{ exceptions.raise_compiler_error('Column ' ~ column.name ~ ' of ' ~ model_name ~ ' is a feature: describe it '
                ~ 'in models/intermediate/features/_features__models.yml with config.meta label and group.') }}
        {%- endif -%}
        {%- do features.append({'name': column.name, 'label': meta.label, 'group': meta.group, 'source': model_name,
            'default': meta.get('default')}) -%}
    {%- endfor -%}
    {{ return(features) }}
{% endmacro %}


{#- Fails the build when a feature model computes a column its YAML does not describe: it would not be a feature. -#}
{% macro customer_ai_check_feature_columns_documented() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- for model_name in customer_ai_feature_models() -%}
        {%- set documented = customer_ai_documented_features(model_name) | map(attribute='name') | list -%}
        {%- for column in adapter.get_columns_in_relation(ref(model_name)) -%}
            {%- if column.name | lower not in customer_ai_feature_model_keys() + documented -%}
                {{ exceptions.raise_compiler_error(model_name ~ ' computes ' ~ column.name ~ ', which its YAML does not '
                    ~ 'describe: describe it in models/intermediate/features/_features__models.yml with config.meta label '
                    ~ 'and group to make it a feature, or drop it.') }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
{% endmacro %}


{% macro customer_ai_literal_list(values) -%}
    {%- set items = [] -%}
    {%- for v in values -%}{%- do items.append(customer_ai_literal(v)) -%}{%- endfor -%}
    {{- '(' ~ (items | join(', ') if items else 'null') ~ ')' -}}
{%- endmacro %}


{#-
    The columns of int_profile_snapshots_featurized that its readers take, in its order: the keys and every feature
    of the catalog (not inputs_fingerprint, which only its incremental runs use).
-#}
{% macro customer_ai_feature_columns(alias) -%}
    {{ alias }}.profile_id,
    {{ alias }}.snapshot_date
    {%- for f in customer_ai_feature_catalog() %},
    {{ alias }}.{{ f.name }}
    {%- endfor %}
{%- endmacro %}
