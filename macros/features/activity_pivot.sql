{#-
    One half of the activity history (rows per profile, snapshot and activity) reshaped to one row per profile and
    snapshot, with a column per event-type feature of the catalog read from that half (`window`: 'recent' for
    int_profile_activities_windowed_to_snapshots, 'lifetime' for int_profile_activities_accumulated_to_snapshots).
    Each (profile, snapshot, activity) has one row, so `max` only picks it. Used by the two pivot models, which the
    feature table joins: run inside the feature table, this 26M-row aggregate and the joins' hash tables together
    outgrew the memory limit at a million profiles.
-#}
{% macro customer_ai_activity_pivot(rows, window) -%}
    select
        profile_id,
        snapshot_date
        {%- for f in customer_ai_feature_catalog() if f.source == 'event_type' and f.window == window %},
        max(case when activity = {{ customer_ai_literal(f.activity) }} then {{ f.column }} end) as {{ f.name }}
        {%- endfor %}
    from {{ rows }}
    group by profile_id, snapshot_date
{%- endmacro %}
