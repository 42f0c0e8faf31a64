{#-
    int_sessions_aggregated rolls int_events_sessionized up to one row per session. A profile's sessions depend on
    that profile's sessionized events only, and int_events_sessionized stamps every row it (re)writes with the
    run's start (sessionized_at), so a run aggregates again just the profiles whose events carry another time than
    their sessions recorded (re-sessionized since: new, late or erased events, other session settings), and those
    whose sessions were aggregated with other rules (the model's code; a table from before rows recorded both is
    aggregated whole once). It keeps the sessions of every other profile. The sessions of profiles with no site or
    app event left (no longer in int_events_sessionized) are deleted after the run
    (customer_ai_delete_sessions_without_events, macros/staging/erasure.sql).
    On DuckDB the model is incremental (replace_slices on profile_id); on Spark, where sessionization overwrites
    whole buckets, it is a table.
-#}
{% macro customer_ai_per_profile_rollup_config() %}
    {{ return(adapter.dispatch('customer_ai_per_profile_rollup_config', 'customer_ai')()) }}
{% endmacro %}
{% macro default__customer_ai_per_profile_rollup_config() %}
    {#- sync_all_columns: a table built before the columns existed gets them, and is aggregated whole once -#}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'replace_slices', 'unique_key': 'profile_id',
               'on_schema_change': 'sync_all_columns',
               'post_hook': '{{ customer_ai_delete_sessions_without_events(this) }}'}) }}
{% endmacro %}
{% macro spark__customer_ai_per_profile_rollup_config() %}
    {{ return({'materialized': 'table'}) }}
{% endmacro %}


{#-
    The profiles whose sessionized events carry another sessionized_at than their rolled-up sessions, or whose
    sessions were rolled up with other rules than `rules` (both bounds, so one stale row is enough).
-#}
{% macro customer_ai_profiles_to_roll_up(rollup, rules) -%}
    select sessionized.profile_id
    from (
        select
            profile_id,
            max(sessionized_at) as sessionized_at
        from {{ ref('int_events_sessionized') }}
        group by profile_id
    ) as sessionized
    left join (
        select
            profile_id,
            max(sessionized_at) as sessionized_at,
            min(rules_fingerprint) as first_rules,
            max(rules_fingerprint) as last_rules
        from {{ rollup }}
        group by profile_id
    ) as rolled_up
        on sessionized.profile_id = rolled_up.profile_id
    where rolled_up.sessionized_at is distinct from sessionized.sessionized_at
        or rolled_up.first_rules is distinct from {{ rules }}
        or rolled_up.last_rules is distinct from {{ rules }}
{%- endmacro %}
