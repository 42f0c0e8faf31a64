{{ config(**customer_ai_per_snapshot_incremental_config()) }}
/*
    The recent half of the activity history as one row per profile and snapshot: a column per event-type feature
    of a recent window (events in the last 7, 30 and 90 days of each event type and custom event), named as in the
    feature catalog. Each (profile, snapshot, activity) has one row, so `max` only picks it. The feature table
    joins it: run inside the feature table, the reshape (26M rows into 5.8M on the demo at a million profiles) and
    the joins' hash tables together outgrew the memory limit.

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

    /*
        The group-by holds a `max` state per column and group (72 columns, 5.8M groups on the demo at a million
        profiles), and over 32-bit integers a state takes half the memory of one over 64-bit: 32-50 s against
        56-78 s for this query at a million profiles. A count is one profile's events of one type in 90 days, far
        below 2^31; one above it would fail the cast with an error on both engines (Spark 4 casts in ANSI mode),
        never wrap.
    */
    select
        profile_id,
        snapshot_date
        {%- for f in customer_ai_feature_catalog() if f.source == 'event_type' and f.window == 'recent' %},
        cast(max(case when activity = {{ customer_ai_literal(f.activity) }} then cast({{ f.column }} as integer) end)
            as bigint) as {{ f.name }}
        {%- endfor %}
    from recent_activity
    group by profile_id, snapshot_date

),

final as (

    -- each row records what it was computed from: the next run keeps it while that stays the same
    {{ customer_ai_with_inputs_fingerprint('pivoted', kept, inputs) }}

)

select * from final
