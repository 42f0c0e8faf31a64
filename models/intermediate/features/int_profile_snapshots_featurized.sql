{{ config(**customer_ai_per_snapshot_incremental_config()) }}
/*
    Point-in-time features: one row per (profile, snapshot date) for every profile seen on or before the snapshot,
    computed only from events dated on or before it. Labels look at the days after the snapshot, features never do.
    The columns follow the feature catalog (customer_ai_feature_catalog, listed in int_features_cataloged):
      - per event type and custom event, its counts and recency: the two halves of the activity history, each
        reshaped to one row per profile and snapshot with a column per feature by its own model
        (int_profile_recent_activities_pivoted, int_profile_lifetime_activities_pivoted), then joined (one join per
        type and window made 50 hash tables that spilled 35 GB at a million profiles: 3x slower);
      - the fixed features, computed as plain SQL in the feature models: int_profile_lifetime_features_computed
        (the population), int_profile_recent_features_computed and int_profile_visit_features_computed;
      - profile attributes.
    Every feature is a double; a profile without rows in a source gets the feature's default (0 for counts) or null.

    Incremental on DuckDB: a run computes only the snapshot dates whose inputs changed (a new scoring date, the
    dates after a late event; every date when an attribute or the catalog changes) and keeps the others:
    macros/features/snapshot_incremental.sql. Its readers select the catalog's columns (customer_ai_feature_columns),
    not the row's inputs_fingerprint.
*/
{{ customer_ai_check_feature_columns_documented() }}
{%- set catalog = customer_ai_feature_catalog() -%}
{%- set has_attributes = catalog | selectattr('source', 'equalto', 'attribute') | list | length > 0 -%}
{#- the model each window's event_type features are pivoted in -#}
{%- set pivots = {'recent': 'int_profile_recent_activities_pivoted', 'lifetime': 'int_profile_lifetime_activities_pivoted'} -%}
{%- set inputs = ['activity', 'sessions'] + (['attributes'] if has_attributes else []) -%}
{%- set kept = customer_ai_kept_snapshot_dates(inputs) %}

with

int_profile_lifetime_features_computed as (

    {{ customer_ai_kept_snapshots_record(kept) }}
    select * from {{ ref('int_profile_lifetime_features_computed') }}
    {{ customer_ai_where_not_kept(kept) }}

),

int_profile_recent_features_computed as (

    select * from {{ ref('int_profile_recent_features_computed') }}
    {{ customer_ai_where_not_kept(kept) }}

),

int_profile_visit_features_computed as (

    select * from {{ ref('int_profile_visit_features_computed') }}
    {{ customer_ai_where_not_kept(kept) }}

),

{%- for window, pivot in pivots.items() %}

{{ window }}_by_activity as (

    select * from {{ ref(pivot) }}
    {{ customer_ai_where_not_kept(kept) }}

),
{%- endfor %}

{%- if has_attributes %}

attributes as (

    select * from {{ ref('stg_profile_attributes') }}

),
{%- endif %}

featurized as (

    select
        int_profile_lifetime_features_computed.profile_id,
        int_profile_lifetime_features_computed.snapshot_date
        {%- for f in catalog %},
        {%- if f.source == 'attribute' %}
        attributes.{{ f.name }}
        {%- else %}
        {%- set value = (f.window ~ '_by_activity' if f.source == 'event_type' else f.source) ~ '.' ~ f.name %}
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
    {%- for window in pivots %}
    left join {{ window }}_by_activity
        on int_profile_lifetime_features_computed.profile_id = {{ window }}_by_activity.profile_id
        and int_profile_lifetime_features_computed.snapshot_date = {{ window }}_by_activity.snapshot_date
    {%- endfor %}
    {%- if has_attributes %}
    left join attributes
        on int_profile_lifetime_features_computed.profile_id = attributes.profile_id
    {%- endif %}

),

final as (

    -- each row records what it was computed from: the next run keeps it while that stays the same
    {{ customer_ai_with_inputs_fingerprint('featurized', kept, inputs) }}

)

select * from final
