{{ config(**customer_ai_per_snapshot_incremental_config()) }}
/*
    The recent half of the activity history as one row per profile and snapshot: a column per event-type feature
    of a recent window (events in the last 7, 30 and 90 days of each event type and custom event), named as in the
    feature catalog. The feature table joins it (customer_ai_activity_pivot says why it is a table of its own).

    Incremental on DuckDB: a run computes only the snapshot dates whose inputs changed (a new scoring date, the
    dates after a late event) and keeps the others: macros/features/snapshot_incremental.sql.
*/
{%- set inputs = ['activity'] -%}
{%- set kept = customer_ai_kept_snapshot_dates(inputs) %}

with

recent_activity as (

    {{ customer_ai_kept_snapshots_record(kept) }}
    select * from {{ ref('int_profile_activities_windowed_to_snapshots') }}
    {{ customer_ai_where_not_kept(kept) }}

),

pivoted as (

    {{ customer_ai_activity_pivot('recent_activity', 'recent') | indent(4) }}

),

final as (

    -- each row records what it was computed from: the next run keeps it while that stays the same
    {{ customer_ai_with_inputs_fingerprint('pivoted', kept, inputs) }}

)

select * from final
