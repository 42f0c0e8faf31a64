/*
    Point-in-time features: one row per (profile, snapshot date) for every profile seen on or before the snapshot,
    computed only from events dated on or before it. Labels look at the days after the snapshot, features never do.
    The columns follow the feature catalog (customer_ai_feature_catalog, listed in int_features_cataloged):
      - per event type and custom event, its counts and recency, looked up with one join per type and window in
        the activity history reduced to rows per profile, snapshot and activity (faster than a wide CASE pivot,
        whose aggregate states spill at scale);
      - the fixed features, computed as plain SQL in the feature models: int_profile_lifetime_features_computed
        (the population), int_profile_recent_features_computed and int_profile_visit_features_computed;
      - profile attributes.
    Every feature is a double; a profile without rows in a source gets the feature's default (0 for counts) or null.
*/
{{ customer_ai_check_feature_columns_documented() }}
{%- set catalog = customer_ai_feature_catalog() -%}
{%- set has_attributes = catalog | selectattr('source', 'equalto', 'attribute') | list | length > 0 -%}
{#- one lookup join per window and event type, selecting the columns the catalog's event_type features read -#}
{%- set lookups = {} -%}
{%- for f in catalog if f.source == 'event_type' -%}
    {%- set alias = f.window ~ '_' ~ f.slug -%}
    {%- if alias not in lookups -%}
        {%- do lookups.update({alias: {'window': f.window, 'activity': f.activity, 'columns': []}}) -%}
    {%- endif -%}
    {%- do lookups[alias].columns.append(f.column) -%}
{%- endfor -%}

with

int_profile_lifetime_features_computed as (

    select * from {{ ref('int_profile_lifetime_features_computed') }}

),

int_profile_recent_features_computed as (

    select * from {{ ref('int_profile_recent_features_computed') }}

),

int_profile_visit_features_computed as (

    select * from {{ ref('int_profile_visit_features_computed') }}

),

recent_activity_windows as (

    select * from {{ ref('int_profile_activities_windowed_to_snapshots') }}

),

lifetime_activity_windows as (

    select * from {{ ref('int_profile_activities_accumulated_to_snapshots') }}

),

{%- if has_attributes %}

attributes as (

    select * from {{ ref('stg_profile_attributes') }}

),
{%- endif %}

{%- for alias, lookup in lookups.items() %}

{{ alias }} as (

    select
        profile_id,
        snapshot_date,
        {{ lookup.columns | join(',\n        ') }}
    from {{ lookup.window }}_activity_windows
    where activity = {{ customer_ai_literal(lookup.activity) }}

),
{%- endfor %}

final as (

    select
        int_profile_lifetime_features_computed.profile_id,
        int_profile_lifetime_features_computed.snapshot_date
        {%- for f in catalog %},
        {%- if f.source == 'attribute' %}
        attributes.{{ f.name }}
        {%- else %}
        {%- set value = f.window ~ '_' ~ f.slug ~ '.' ~ f.column if f.source == 'event_type' else f.source ~ '.' ~ f.name %}
        cast({{ value if f.default is none else 'coalesce(' ~ value ~ ', ' ~ f.default ~ ')' }} as {{ customer_ai_type_double() }}) as {{ f.name }}
        {%- endif %}
        {%- endfor %}
    from int_profile_lifetime_features_computed
    left join int_profile_recent_features_computed
        on int_profile_lifetime_features_computed.profile_id = int_profile_recent_features_computed.profile_id
        and int_profile_lifetime_features_computed.snapshot_date = int_profile_recent_features_computed.snapshot_date
    left join int_profile_visit_features_computed
        on int_profile_lifetime_features_computed.profile_id = int_profile_visit_features_computed.profile_id
        and int_profile_lifetime_features_computed.snapshot_date = int_profile_visit_features_computed.snapshot_date
    {%- for alias in lookups %}
    left join {{ alias }}
        on int_profile_lifetime_features_computed.profile_id = {{ alias }}.profile_id
        and int_profile_lifetime_features_computed.snapshot_date = {{ alias }}.snapshot_date
    {%- endfor %}
    {%- if has_attributes %}
    left join attributes
        on int_profile_lifetime_features_computed.profile_id = attributes.profile_id
    {%- endif %}

)

select * from final
