{#-
    Incremental per-day models (int_profile_activities_aggregated_to_days, int_prediction_activity_flagged): a run
    recomputes only the event days whose staged events changed since the last run, and gets exactly the rows a full
    build would.

    Every staged row carries staged_at, the start of the run that (re)staged it (stg_experience_events__validated);
    a restaged day's rows all get the new time. Each row of a per-day model keeps events_staged_at, the latest
    staged_at of its day's events, and rules_fingerprint, a digest of what the model computes them with. A day is
    recomputed when
      - the latest staged_at of its events differs from the one its rows recorded (restaged since),
      - it is new (no rows yet) or gone (rows, but no staged event left: its rows are deleted),
      - the rules changed (the code of the model or of a project macro, or its settings): then every day is.
    A day whose events give no row (none met a condition, say) has nothing to record that it was looked at, so it
    is looked at again by each run: cheap, it has no rows.
    On DuckDB such a model is incremental (replace_slices on the day, then the rows of days with no staged event
    left are deleted); on Spark, where staging is rebuilt every run, it is a table.
-#}
{% macro customer_ai_per_day_incremental_config(day_column) %}
    {{ return(adapter.dispatch('customer_ai_per_day_incremental_config', 'customer_ai')(day_column)) }}
{% endmacro %}
{% macro default__customer_ai_per_day_incremental_config(day_column) %}
    {#- sync_all_columns: a table built before these columns existed gets them, and is recomputed whole once -#}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'replace_slices',
               'unique_key': day_column, 'on_schema_change': 'sync_all_columns',
               'post_hook': "{{ customer_ai_delete_days_without_events(this, '" ~ day_column ~ "') }}"}) }}
{% endmacro %}
{% macro spark__customer_ai_per_day_incremental_config(day_column) %}
    {{ return({'materialized': 'table'}) }}
{% endmacro %}


{#- The model's rules: its code and the project's macros (customer_ai_model_code), and the settings (or compiled SQL)
    it passes. -#}
{% macro customer_ai_per_day_rules_fingerprint(settings) %}
    {{ return(local_md5(customer_ai_model_code() ~ '|' ~ tojson(settings))) }}
{% endmacro %}


{#-
    The staged events a per-day model reads: all of them, or on an incremental run those of the days to recompute
    (found by one query when the model renders; the model's table is still the last run's).
-#}
{% macro customer_ai_per_day_events(day_column, settings) %}
    {%- set events = ref('stg_experience_events') -%}
    {%- if not is_incremental() -%}{{ return('select * from ' ~ events) }}{%- endif -%}
    {%- set days = customer_ai_recomputed_days(this, day_column, settings) -%}
    {%- if days is none -%}{{ return('select * from ' ~ events) }}{%- endif -%}
    {#- by event_at ranges, which the scan filters by, rather than by the view's computed event_date -#}
    {{ return('select * from ' ~ events ~ ' where ' ~ customer_ai_on_days('event_at', days)) }}
{% endmacro %}


{#- The days to recompute (a list of 'YYYY-MM-DD'), or none when every day is. -#}
{% macro customer_ai_recomputed_days(computed, day_column, settings) %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- if not customer_ai_relation_has_columns(computed, ['events_staged_at', 'rules_fingerprint']) -%}
        {%- do log(this.identifier ~ ': recomputing every event day (built before rows recorded when)', info=true) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rules = customer_ai_string_literal(customer_ai_per_day_rules_fingerprint(settings)) -%}
    {%- set query -%}
    select event_date, rules_changed
    from (
        select
            cast(coalesce(staged_day.event_date, computed_day.{{ day_column }}) as {{ dbt.type_string() }}) as event_date,
            computed_day.{{ day_column }} is not null and (
                computed_day.first_rules is distinct from {{ rules }}
                or computed_day.last_rules is distinct from {{ rules }}
            ) as rules_changed,
            -- new, gone, or restaged since
            staged_day.event_date is null
                or computed_day.{{ day_column }} is null
                or staged_day.staged_at is distinct from computed_day.staged_at as events_changed
        from (
            select
                event_date,
                max(staged_at) as staged_at
            from {{ ref('stg_experience_events') }}
            group by event_date
        ) as staged_day
        full outer join (
            select
                {{ day_column }},
                max(events_staged_at) as staged_at,
                min(rules_fingerprint) as first_rules,
                max(rules_fingerprint) as last_rules
            from {{ computed }}
            group by {{ day_column }}
        ) as computed_day
            on staged_day.event_date = computed_day.{{ day_column }}
    ) as compared_day
    where rules_changed or events_changed
    order by event_date
    {%- endset -%}
    {%- set found = run_query(query) -%}
    {%- set days = [] -%}
    {%- for row in found.rows -%}
        {%- if row[1] -%}
            {%- do log(this.identifier ~ ': recomputing every event day (its rules changed)', info=true) -%}
            {{ return(none) }}
        {%- endif -%}
        {%- do days.append(row[0] | string) -%}
    {%- endfor -%}
    {%- do log(this.identifier ~ ': recomputing ' ~ (days | length) ~ ' event days', info=true) -%}
    {{ return(days) }}
{% endmacro %}


{#- The latest staged_at of each day's staged events, for a per-day model's rows (events_staged_at). -#}
{% macro customer_ai_day_staged_at(events) -%}
    select
        event_date,
        max(staged_at) as events_staged_at
    from {{ events }}
    group by event_date
{%- endmacro %}


{#- Post-hook: delete the rows of days that no longer have any staged event (erased, or all rejected now). -#}
{% macro customer_ai_delete_days_without_events(relation, day_column) %}
    {%- if not is_incremental() -%}{{ return('') }}{%- endif -%}
    delete from {{ relation }}
    where {{ day_column }} not in (select distinct event_date from {{ ref('stg_experience_events') }})
{% endmacro %}
