{#-
    int_sessions_aggregated rolls int_events_sessionized up to one row per session. int_events_sessionized stamps
    every row it writes with the run's start (sessionized_at), and a run of it either sessionizes a profile whole
    (every row of it stamped anew, its visits numbered from 1) or keeps the profile's rows and adds its new days
    (visits numbered on). So a run of the rollup aggregates just the rows stamped after the latest stamp it has
    rolled up (customer_ai_rolled_up_through): the sessions of a profile sessionized whole are deleted first
    (pre-hook customer_ai_delete_sessions_rolled_up_again) and aggregated again; a profile that kept its rows
    keeps its sessions and gets its new days' sessions, numbered on from its last. Stamps are run start times, which
    only grow from run to run (as staging's restaged days also assume). A change of the code (the model's or a
    project macro's), or a table from before rows recorded both, aggregates every session again. The sessions of
    profiles with no site or app event left (no longer in int_events_sessionized) are deleted after the run
    (customer_ai_delete_sessions_without_events, macros/staging/erasure.sql).
    On DuckDB the model is incremental (append, after the pre-hook's delete); on Spark, where sessionization
    overwrites whole buckets, it is a table.
-#}
{% macro customer_ai_per_profile_rollup_config() %}
    {{ return(adapter.dispatch('customer_ai_per_profile_rollup_config', 'customer_ai')()) }}
{% endmacro %}
{% macro default__customer_ai_per_profile_rollup_config() %}
    {#- sync_all_columns: a table built before the columns existed gets them, and is aggregated whole once -#}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'append', 'on_schema_change': 'sync_all_columns',
               'pre_hook': '{{ customer_ai_delete_sessions_rolled_up_again(this) }}',
               'post_hook': '{{ customer_ai_delete_sessions_without_events(this) }}'}) }}
{% endmacro %}
{% macro spark__customer_ai_per_profile_rollup_config() %}
    {{ return({'materialized': 'table'}) }}
{% endmacro %}


{#-
    The latest sessionized_at the rollup has aggregated, as 'YYYY-MM-DD HH:MM:SS.ffffff': the rows of
    int_events_sessionized stamped later are what this run aggregates. None when every session is aggregated
    again: an empty table, or sessions aggregated with other rules than `rules` (both bounds, so one stale row is
    enough). Asked once, when the model renders; the pre-hook reads the answer back (customer_ai_recorded).
-#}
{% macro customer_ai_rolled_up_through(rollup, rules) %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set query -%}
    select
        strftime(max(sessionized_at), '%Y-%m-%d %H:%M:%S.%f') as rolled_up_through,
        coalesce(
            min(rules_fingerprint) <> {{ rules }} or max(rules_fingerprint) <> {{ rules }}
            or count(rules_fingerprint) < count(*) or count(sessionized_at) < count(*),
            false
        ) as rules_changed
    from {{ rollup }}
    {%- endset -%}
    {%- set found = run_query(query).rows[0] -%}
    {%- if found[1] -%}
        {%- do log(this.identifier ~ ': aggregating every session (the rollup rules changed)', info=true) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(found[0]) }}
{% endmacro %}


{#-
    Pre-hook of int_sessions_aggregated: before the run's rows are aggregated, delete the sessions of the profiles
    int_events_sessionized sessionized whole since the last rollup (their new rows start again at visit 1; a
    profile that kept its rows numbers its new visits on), or every session when everything is aggregated again.
-#}
{% macro customer_ai_delete_sessions_rolled_up_again(relation) %}
    {%- if not is_incremental() -%}{{ return('') }}{%- endif -%}
    {%- set through = customer_ai_recorded('rolled up through', 'pre-hook')['sessionized_at'] -%}
    delete from {{ relation }}
    {%- if through is not none %}
    where profile_id in (
        select profile_id
        from {{ ref('int_events_sessionized') }}
        where sessionized_at > cast('{{ through }}' as timestamp)
        group by profile_id
        having min(visit_number) = 1
    )
    {%- endif %}
{% endmacro %}
