{#-
    Incremental per-snapshot models (int_profile_activities_accumulated_to_snapshots,
    int_profile_activities_windowed_to_snapshots): a run computes only the snapshot dates whose inputs changed since
    the last run, and gets exactly the rows a full build would.

    Features are point in time: a snapshot's rows depend only on the daily activity on or before its date. Each row
    keeps inputs_fingerprint, a digest of those inputs when it was computed: the latest events_staged_at of the
    activity days on or before the snapshot, how many such days there are, the daily activity's rules fingerprint,
    and this model's own rules (its code and the feature windows). A snapshot date is
      - kept when it is still scheduled and its rows' fingerprint equals the one its inputs give now;
      - computed when it is new (the day's scoring date, say), or when a day on or before it was restaged (a late
        event: its day gets a newer events_staged_at), appeared or vanished (the count of days changes), or the
        rules changed (then every date is);
      - deleted when it is no longer scheduled (yesterday's scoring date).
    A daily run thus computes the new scoring date and the dates after the earliest late event, not the training
    and backtest dates months back. A scheduled date with no row (no activity in its window) is computed again by
    each run: cheap, it has no rows.

    The kept dates are found once, when the model renders, and written into the compiled SQL as a comment (as
    staging does with its restaged days); the strategy deletes every other date's rows and inserts the new ones.
    On DuckDB such a model is incremental; on Spark, where the daily activity is rebuilt every run, it is a table.
-#}
{% macro customer_ai_per_snapshot_incremental_config() %}
    {{ return(adapter.dispatch('customer_ai_per_snapshot_incremental_config', 'customer_ai')()) }}
{% endmacro %}
{% macro default__customer_ai_per_snapshot_incremental_config() %}
    {#- sync_all_columns: a table built before inputs_fingerprint existed gets it, and is recomputed whole once -#}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'recompute_snapshots',
               'on_schema_change': 'sync_all_columns'}) }}
{% endmacro %}
{% macro spark__customer_ai_per_snapshot_incremental_config() %}
    {{ return({'materialized': 'table'}) }}
{% endmacro %}


{#-
    One row per snapshot date of `snapshot_dates` (a relation or CTE with a snapshot_date column) with the digest of
    the daily activity it is computed from (inputs_fingerprint, above). Snapshots before the first activity day
    have none (and no rows to compute).
-#}
{% macro customer_ai_snapshot_inputs(snapshot_dates) -%}
    {%- set str = dbt.type_string() -%}
    {%- set own_rules = local_md5(model.raw_code ~ '|' ~ tojson(customer_ai_feature_windows())) -%}
    select
        snapshot_dates.snapshot_date,
        md5(concat_ws('|',
            {{ customer_ai_string_literal(own_rules) }},
            cast(max(activity_days.events_staged_at) as {{ str }}),
            cast(count(*) as {{ str }}),
            min(activity_days.first_rules),
            max(activity_days.last_rules)
        )) as inputs_fingerprint
    from (select distinct snapshot_date from {{ snapshot_dates }}) as snapshot_dates
    inner join (
        select
            activity_date,
            max(events_staged_at) as events_staged_at,
            min(rules_fingerprint) as first_rules,
            max(rules_fingerprint) as last_rules
        from {{ ref('int_profile_activities_aggregated_to_days') }}
        group by activity_date
    ) as activity_days
        on activity_days.activity_date <= snapshot_dates.snapshot_date
    group by snapshot_dates.snapshot_date
{%- endmacro %}


{#-
    The snapshot dates whose rows this run keeps (a list of 'YYYY-MM-DD'): on an incremental run, the scheduled
    dates whose rows recorded the fingerprint their inputs give now; otherwise none.
-#}
{% macro customer_ai_kept_snapshot_dates() %}
    {%- if not (execute and is_incremental()) -%}{{ return([]) }}{%- endif -%}
    {%- if not customer_ai_relation_has_columns(this, ['inputs_fingerprint']) -%}
        {%- do log(this.identifier ~ ': computing every snapshot date (built before rows recorded their inputs)',
            info=true) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
    select
        cast(current_inputs.snapshot_date as {{ dbt.type_string() }}) as snapshot_date,
        coalesce(
            computed.first_fingerprint = current_inputs.inputs_fingerprint
            and computed.last_fingerprint = current_inputs.inputs_fingerprint,
            false
        ) as is_kept
    from (
        {{ customer_ai_snapshot_inputs(customer_ai_feature_snapshot_dates()) }}
    ) as current_inputs
    left join (
        select
            snapshot_date,
            min(inputs_fingerprint) as first_fingerprint,
            max(inputs_fingerprint) as last_fingerprint
        from {{ this }}
        group by snapshot_date
    ) as computed
        on current_inputs.snapshot_date = computed.snapshot_date
    order by snapshot_date
    {%- endset -%}
    {%- set scheduled = run_query(query) -%}
    {%- set kept = [] -%}
    {%- for row in scheduled.rows if row[1] -%}{%- do kept.append(row[0] | string) -%}{%- endfor -%}
    {%- do log(this.identifier ~ ': computing ' ~ (scheduled.rows | length - kept | length) ~ ' snapshot dates, keeping '
        ~ (kept | length), info=true) -%}
    {{ return(kept) }}
{% endmacro %}


{#- The comment that carries the kept dates from the model to the strategy (see restage.sql for the pattern). -#}
{% macro customer_ai_kept_snapshots_record(dates) -%}
    /* kept snapshot dates: {{ tojson({'dates': dates}) }} */
{%- endmacro %}

{% macro customer_ai_recorded_kept_snapshots() %}
    {%- set recorded = modules.re.search('/[*] kept snapshot dates: ([{][^{}]*[}]) [*]/', model['compiled_code'] or '') -%}
    {%- if recorded is none -%}
        {{ exceptions.raise_compiler_error(this.identifier ~ ": the compiled SQL does not record its kept snapshot "
            ~ "dates (customer_ai_kept_snapshots_record); the recompute_snapshots strategy cannot tell which rows to keep") }}
    {%- endif -%}
    {{ return(fromjson(recorded.group(1))['dates']) }}
{% endmacro %}


{#- The `recompute_snapshots` incremental strategy: delete the rows of every date not kept, insert the new rows. -#}
{% macro get_incremental_recompute_snapshots_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set kept = customer_ai_recorded_kept_snapshots() -%}
    delete from {{ target }}
    where not ({{ customer_ai_in_dates('snapshot_date', kept) }});

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}
