{#-
    int_sessions_aggregated rolls int_events_sessionized up to one row per session. A profile's sessions depend on
    that profile's sessionized events only, and int_events_sessionized stamps every row it (re)writes with the
    run's start (sessionized_at), so a run aggregates again just the profiles whose events carry another time than
    their sessions recorded (re-sessionized since: new, late or erased events, other session settings) and keeps
    the sessions of every other profile. The sessions of profiles with no sessionized event left are deleted after
    the run. Each session also records the rollup's rules (the model's code): a change of them, or a table from
    before rows recorded both, aggregates every profile again.
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
               'post_hook': '{{ customer_ai_delete_profiles_not_sessionized(this) }}'}) }}
{% endmacro %}
{% macro spark__customer_ai_per_profile_rollup_config() %}
    {{ return({'materialized': 'table'}) }}
{% endmacro %}


{#- On an incremental run: whether every profile must be aggregated again (a rules change, or an older table). -#}
{% macro customer_ai_rollup_rules_changed(rules) %}
    {%- if not (execute and is_incremental()) -%}{{ return(true) }}{%- endif -%}
    {%- if not customer_ai_relation_has_columns(this, ['sessionized_at', 'rules_fingerprint']) -%}
        {%- do log(this.identifier ~ ': aggregating every profile (built before rows recorded when and how)',
            info=true) -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set stale = run_query(
        'select count(*) from ' ~ this ~ ' where rules_fingerprint is distinct from '
        ~ customer_ai_string_literal(rules)).columns[0].values()[0] -%}
    {%- if stale > 0 -%}
        {%- do log(this.identifier ~ ': aggregating every profile (the rules changed)', info=true) -%}
    {%- endif -%}
    {{ return(stale > 0) }}
{% endmacro %}


{#- The profiles whose sessionized events carry another sessionized_at than their rolled-up sessions. -#}
{% macro customer_ai_profiles_sessionized_since(rollup) -%}
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
            max(sessionized_at) as sessionized_at
        from {{ rollup }}
        group by profile_id
    ) as rolled_up
        on sessionized.profile_id = rolled_up.profile_id
    where rolled_up.sessionized_at is distinct from sessionized.sessionized_at
{%- endmacro %}


{#- Post-hook: delete the sessions of profiles that have no sessionized event left (an erasure, say). -#}
{% macro customer_ai_delete_profiles_not_sessionized(relation) %}
    {%- if not is_incremental() -%}{{ return('') }}{%- endif -%}
    delete from {{ relation }}
    where profile_id not in (
        select distinct profile_id from {{ ref('int_events_sessionized') }}
    )
{% endmacro %}
