{{ config(**customer_ai_per_snapshot_incremental_config()) }}
/*
    The lifetime half of the activity history as one row per profile and snapshot: a column per event-type feature
    read from the whole history (days since the last event of each event type and custom event), named as in the
    feature catalog. Each (profile, snapshot, activity) has one row, so `max` only picks it. The feature table
    joins it; int_profile_recent_activities_pivoted says why the reshape is a table of its own, and why it is
    written in the model.

    Incremental on DuckDB: a run computes only the snapshot dates whose inputs changed (a new scoring date, the
    dates after a late event) and keeps the others: macros/features/snapshot_incremental.sql.
*/
{%- set inputs = ['activity'] -%}
{%- set kept = customer_ai_kept_snapshot_dates(inputs) %}

with

lifetime_activity as (

    {{ customer_ai_kept_snapshots_record(kept) }}
    select * from {{ ref('int_profile_activities_accumulated_to_snapshots') }}
    {{ customer_ai_where_not_kept(kept) }}

),

pivoted as (

    select
        profile_id,
        snapshot_date
        {%- for f in customer_ai_feature_catalog() if f.source == 'event_type' and f.window == 'lifetime' %},
        max(case when activity = {{ customer_ai_literal(f.activity) }} then {{ f.column }} end) as {{ f.name }}
        {%- endfor %}
    from lifetime_activity
    group by profile_id, snapshot_date

),

final as (

    -- each row records what it was computed from: the next run keeps it while that stays the same
    {{ customer_ai_with_inputs_fingerprint('pivoted', kept, inputs) }}

)

select * from final
