{#-
    Incremental per-snapshot models (the feature models in models/intermediate/features/ but the catalog, and the
    labels, int_prediction_snapshots_labeled): a run computes only the snapshot dates whose inputs changed since the
    last run, and gets exactly the rows a full build would.

    Features are point in time: a snapshot's rows depend only on what happened on or before its date. Each row
    keeps inputs_fingerprint, a digest of that (customer_ai_snapshot_inputs): the daily activity on or before the
    snapshot (the latest time its days were staged, how many days, its rules), for the visit features and the
    feature table the sessions on or before it, for the feature table the profile attributes, and the feature rules
    (the code of every feature model, the windows, the catalog). A snapshot date is
      - kept when it is still scheduled and its rows' fingerprint equals the one its inputs give now;
      - computed when it is new (the day's scoring date, say), or when a day on or before it was restaged (a late
        event: its day gets a newer events_staged_at), appeared or vanished (the count of days changes), a session
        on or before it changed, or the rules or the attributes changed (then every date is);
      - deleted when it is no longer scheduled (yesterday's scoring date). Until the run deletes it, such a date
        whose fingerprint still holds is reusable: the lifetime totals of a computed date start from it
        (customer_ai_kept_and_reusable_snapshot_dates).
    A daily run thus computes the new scoring date and the dates after the earliest late event, not the training
    and backtest dates months back. Labels look past their date, to the end of the outcome window: their inputs
    are customer_ai_label_snapshot_inputs, per prediction and date, and a label date is kept once its window has
    closed and nothing in or before it changed. A scheduled date with no row (no activity in its window) is
    computed again by each run: cheap, it has no rows. The feature rules hold the project's macros too
    (customer_ai_feature_rules_fingerprint): an upgrade that changes one computes every date once.

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
    What every per-snapshot model's rows are computed with besides their inputs: the code of every feature model
    and of the project's macros (customer_ai_project_macros_digest), the feature windows and catalog (event types,
    custom events, attributes), and the settings they read.
-#}
{% macro customer_ai_feature_rules_fingerprint() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set code = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type == 'model' and node.original_file_path.startswith('models/intermediate/features/') -%}
        {%- do code.append(node.unique_id ~ '\n' ~ node.raw_code) -%}
    {%- endfor -%}
    {%- set settings = {'windows': customer_ai_feature_windows(), 'catalog': customer_ai_feature_catalog(),
                        'passive_event_types': var('customer_ai__passive_event_types')} -%}
    {{ return(local_md5(code | join('\n') ~ '|' ~ customer_ai_project_macros_digest() ~ '|' ~ tojson(settings))) }}
{% endmacro %}


{#-
    One row per feature snapshot date but those in `kept` (customer_ai_feature_snapshot_dates) with the digest of
    what its rows are computed from (inputs_fingerprint, above), from the inputs named:
      - 'activity': the daily activity on or before the date: the latest events_staged_at of its days, how many
        days, and its rules fingerprint;
      - 'sessions': the sessions dated on or before it: how many, and the sum of a hash of what the visit
        features read of them (their values, not sessionized_at: a profile with a new event is sessionized again
        whole, and its old sessions, the same as before, must not change the dates before the event);
      - 'attributes': every profile attribute row (they have no date: a change computes every snapshot).
    Snapshots before the first activity day have none (and no rows to compute).
-#}
{% macro customer_ai_snapshot_inputs(inputs, kept=[], stored_too=false) -%}
    {%- set str = dbt.type_string() -%}
    {#- the dates to digest: the scheduled feature dates but the kept ones; with stored_too, every scheduled date and
        every date stored in this model's table, with is_scheduled (customer_ai_kept_and_reusable_snapshot_dates) -#}
    {%- set keys = ['feature_snapshot_dates.snapshot_date'] -%}
    {%- if stored_too -%}
        {%- do keys.append('feature_snapshot_dates.is_scheduled') -%}
        {%- set bounds -%}
        (
            select
                snapshot_date,
                max(case when is_scheduled then 1 else 0 end) = 1 as is_scheduled
            from (
                select snapshot_date, true as is_scheduled from {{ customer_ai_feature_snapshot_dates() }}
                union all
                select distinct snapshot_date, false as is_scheduled from {{ this }}
            ) as scheduled_and_stored_dates
            group by snapshot_date
        ) as feature_snapshot_dates
        {%- endset -%}
    {%- else -%}
        {%- set bounds = customer_ai_feature_snapshot_dates(kept) -%}
    {%- endif %}
    select
        activity_inputs.snapshot_date,
        {%- if stored_too %}
        activity_inputs.is_scheduled,
        {%- endif %}
        md5(concat_ws('|',
            {{ customer_ai_string_literal(customer_ai_feature_rules_fingerprint()) }},
            activity_inputs.digest
            {%- if 'sessions' in inputs %},
            coalesce(session_inputs.digest, 'no sessions')
            {%- endif %}
            {%- if 'attributes' in inputs %},
            attribute_inputs.digest
            {%- endif %}
        )) as inputs_fingerprint
    from (
        {{ customer_ai_activity_digest(bounds, keys, 'feature_snapshot_dates.snapshot_date') | indent(8) }}
    ) as activity_inputs
    {%- if 'sessions' in inputs %}
    left join (
        select
            feature_snapshot_dates.snapshot_date,
            concat_ws('|',
                cast(sum(session_days.session_count) as {{ str }}),
                cast(sum(session_days.session_fingerprint) as {{ str }})
            ) as digest
        from {{ bounds | indent(8) }}
        inner join (
            select
                session_date,
                count(*) as session_count,
                {{ customer_ai_fingerprint_sum(['profile_id', 'session_date', 'duration_seconds']) }}
                    as session_fingerprint
            from {{ ref('int_sessions_aggregated') }}
            group by session_date
        ) as session_days
            on session_days.session_date <= feature_snapshot_dates.snapshot_date
        group by feature_snapshot_dates.snapshot_date
    ) as session_inputs
        on activity_inputs.snapshot_date = session_inputs.snapshot_date
    {%- endif %}
    {%- if 'attributes' in inputs %}
    {%- set attributes = ref('stg_profile_attributes') %}
    {%- set columns = adapter.get_columns_in_relation(attributes) | map(attribute='name') | list if execute else ['profile_id'] %}
    cross join (
        select
            concat_ws('|',
                cast(count(*) as {{ str }}),
                cast(coalesce({{ customer_ai_fingerprint_sum(columns) }}, 0) as {{ str }})
            ) as digest
        from {{ attributes }}
    ) as attribute_inputs
    {%- endif %}
{%- endmacro %}


{#-
    Per row of `bounds` (an aliased subquery), grouped by `keys`: a digest of the daily activity on or before
    `end_date` (an expression on bounds): the latest events_staged_at of its days, how many days, and its rules
    fingerprint. A day restaged, added or erased on or before the end date changes it; a later one does not. The
    days are read from int_activity_days_summarized, one row per day.
-#}
{% macro customer_ai_activity_digest(bounds, keys, end_date) -%}
    {%- set str = dbt.type_string() -%}
    select
        {{ keys | join(',\n        ') }},
        concat_ws('|',
            cast(max(activity_days.events_staged_at) as {{ str }}),
            cast(count(*) as {{ str }}),
            min(activity_days.first_rules_fingerprint),
            max(activity_days.last_rules_fingerprint)
        ) as digest
    from {{ bounds }}
    inner join {{ ref('int_activity_days_summarized') }} as activity_days
        on activity_days.activity_date <= {{ end_date }}
    group by {{ keys | join(', ') }}
{%- endmacro %}


{#-
    The inputs of int_prediction_snapshots_labeled, one row per scheduled (prediction, snapshot date) but those of
    the kept dates, with the digest of what its rows are counted from: the labels' rules (the code of the model and
    of the project's macros, and every prediction's settings), the conditions' rules
    (int_prediction_activity_flagged: one digest for the whole table, as a rules change retests every day), the
    snapshot's kind and outcome window, and the daily activity on or before the end of the outcome window. A label
    cannot change once that window has closed unless a day in it (or before it: who is in the population, who was
    active) is restaged.
-#}
{% macro customer_ai_label_snapshot_inputs(kept=[]) -%}
    {%- set rules = local_md5(customer_ai_model_code() ~ '|' ~ tojson(customer_ai_predictions())) if execute
        else '' -%}
    {%- set label_snapshots -%}
    (
        select
            prediction_name,
            snapshot_date,
            snapshot_kind,
            outcome_window_days
        from {{ ref('int_snapshot_dates_scheduled') }}
        {%- if kept %}
        where {{ customer_ai_not_kept('snapshot_date', kept) }}
        {%- endif %}
    ) as label_snapshots
    {%- endset -%}
    select
        activity_inputs.prediction_name,
        activity_inputs.snapshot_date,
        md5(concat_ws('|',
            {{ customer_ai_string_literal(rules) }},
            flag_rules.digest,
            activity_inputs.snapshot_kind,
            cast(activity_inputs.outcome_window_days as {{ dbt.type_string() }}),
            activity_inputs.digest
        )) as inputs_fingerprint
    from (
        {{ customer_ai_activity_digest(label_snapshots,
            ['label_snapshots.prediction_name', 'label_snapshots.snapshot_date', 'label_snapshots.snapshot_kind',
             'label_snapshots.outcome_window_days'],
            dbt.dateadd('day', 'label_snapshots.outcome_window_days', 'label_snapshots.snapshot_date')) | indent(8) }}
    ) as activity_inputs
    cross join (
        select concat_ws('|', min(rules_fingerprint), max(rules_fingerprint)) as digest
        from {{ ref('int_prediction_activity_flagged') }}
    ) as flag_rules
{%- endmacro %}


{#-
    The rows of a per-snapshot model's CTE `rows`, each with the inputs_fingerprint of its snapshot date: what the
    next run compares to decide whether to keep it.
-#}
{% macro customer_ai_with_inputs_fingerprint(rows, kept, inputs) -%}
    {{ customer_ai_with_fingerprint_of(rows, customer_ai_snapshot_inputs(inputs, kept)) }}
{%- endmacro %}

{#- The same for any inputs query giving a fingerprint per snapshot_date and `keys` (labels: per prediction). -#}
{% macro customer_ai_with_fingerprint_of(rows, snapshot_inputs, keys=[]) -%}
    select
        {{ rows }}.*,
        snapshot_inputs.inputs_fingerprint,
        {{ customer_ai_run_started_at() }} as computed_at
    from {{ rows }}
    inner join (
        {{ snapshot_inputs | indent(4) }}
    ) as snapshot_inputs
        on {{ rows }}.snapshot_date = snapshot_inputs.snapshot_date
        {%- for key in keys %}
        and {{ rows }}.{{ key }} = snapshot_inputs.{{ key }}
        {%- endfor %}
{%- endmacro %}


{#-
    The snapshot dates whose rows this run keeps (a list of 'YYYY-MM-DD'): on an incremental run, the scheduled
    dates whose rows recorded the fingerprint their inputs give now; otherwise none.
-#}
{% macro customer_ai_kept_snapshot_dates(inputs) %}
    {{ return(customer_ai_kept_dates_of(customer_ai_snapshot_inputs(inputs))) }}
{% endmacro %}

{#-
    The same, {'kept': [...], 'reusable': [...]}, with the dates stored but no longer scheduled (yesterday's scoring
    date, say) whose rows still hold the fingerprint their inputs give now: the run deletes them (they are not
    kept), but until then their rows are right, and int_profile_activities_accumulated_to_snapshots starts the
    lifetime totals of a computed date from the latest kept or reusable date before it, so the day's new scoring
    date adds one day to yesterday's totals instead of every day since the latest training date. One query answers
    both.
-#}
{% macro customer_ai_kept_and_reusable_snapshot_dates(inputs) %}
    {%- if not (execute and is_incremental()) -%}{{ return({'kept': [], 'reusable': []}) }}{%- endif -%}
    {{ return(customer_ai_dates_to_keep(customer_ai_snapshot_inputs(inputs, stored_too=true), [], true)) }}
{% endmacro %}

{#-
    The kept dates for any inputs query (snapshot_date, `keys`, inputs_fingerprint): a date is kept when each of its
    rows of inputs matches the rows stored for it, and no rows are stored for it under other keys (a prediction that
    no longer has the date: its rows must go).
-#}
{% macro customer_ai_kept_dates_of(current_inputs, keys=[]) %}
    {{ return(customer_ai_dates_to_keep(current_inputs, keys, false)['kept']) }}
{% endmacro %}

{#-
    {'kept': [...], 'reusable': [...]} for an inputs query; `with_reusable`: the inputs also cover the stored dates
    and say which are scheduled (is_scheduled), and the stored ones not scheduled whose fingerprint holds are
    reusable. Without it, a date is scheduled when the inputs have it, and none is reusable.
-#}
{% macro customer_ai_dates_to_keep(current_inputs, keys, with_reusable) %}
    {%- set none_kept = {'kept': [], 'reusable': []} -%}
    {%- if not (execute and is_incremental()) -%}{{ return(none_kept) }}{%- endif -%}
    {%- if not customer_ai_relation_has_columns(this, ['inputs_fingerprint']) -%}
        {%- do log(this.identifier ~ ': computing every snapshot date (built before rows recorded their inputs)',
            info=true) -%}
        {{ return(none_kept) }}
    {%- endif -%}
    {%- set snapshot_date = 'coalesce(current_inputs.snapshot_date, computed.snapshot_date)' -%}
    {%- set is_scheduled = 'coalesce(current_inputs.is_scheduled, false)' if with_reusable
        else 'current_inputs.snapshot_date is not null' -%}
    {%- set query -%}
    select
        cast({{ snapshot_date }} as {{ dbt.type_string() }}) as snapshot_date,
        max(case when {{ is_scheduled }} then 1 else 0 end) = 1 as is_scheduled,
        min(case
            when computed.first_fingerprint = current_inputs.inputs_fingerprint
                and computed.last_fingerprint = current_inputs.inputs_fingerprint
                then 1
            else 0
        end) = 1 as is_kept
    from (
        {{ current_inputs }}
    ) as current_inputs
    full outer join (
        select
            {{ (keys + ['snapshot_date']) | join(', ') }},
            min(inputs_fingerprint) as first_fingerprint,
            max(inputs_fingerprint) as last_fingerprint
        from {{ this }}
        group by {{ (keys + ['snapshot_date']) | join(', ') }}
    ) as computed
        on current_inputs.snapshot_date = computed.snapshot_date
        {%- for key in keys %}
        and current_inputs.{{ key }} = computed.{{ key }}
        {%- endfor %}
    group by {{ snapshot_date }}
    order by 1
    {%- endset -%}
    {%- set dates = run_query(query) -%}
    {%- set scheduled, kept, reusable = [], [], [] -%}
    {%- for row in dates.rows -%}
        {%- if row[1] -%}
            {%- do scheduled.append(row[0]) -%}
            {%- if row[2] %}{% do kept.append(row[0] | string) %}{% endif -%}
        {%- elif row[2] and with_reusable -%}
            {%- do reusable.append(row[0] | string) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do log(this.identifier ~ ': computing ' ~ (scheduled | length - kept | length) ~ ' snapshot dates, keeping '
        ~ (kept | length) ~ (', starting from ' ~ reusable | join(', ') ~ ' (no longer scheduled)' if reusable else ''),
        info=true) -%}
    {{ return({'kept': kept, 'reusable': reusable}) }}
{% endmacro %}


{#- The comment that carries the kept dates from the model to the strategy (customer_ai_compiled_record). -#}
{% macro customer_ai_kept_snapshots_record(dates) -%}
    {{ customer_ai_compiled_record('kept snapshot dates', {'dates': dates}) }}
{%- endmacro %}


{#-
    The `recompute_snapshots` incremental strategy: delete the rows of every date not kept, insert the new rows.
    When none is kept (the rules changed: a custom event adds columns, say) the new rows replace the table, so
    that its columns are in the order a full build gives, not with the added ones at the end.
-#}
{% macro get_incremental_recompute_snapshots_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set kept = customer_ai_recorded('kept snapshot dates', 'recompute_snapshots')['dates'] -%}
    {%- if not kept -%}
    create or replace table {{ target }} as
    select * from {{ arg_dict['temp_relation'] }}
    {%- else -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ customer_ai_not_kept('snapshot_date', kept) }};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
    {%- endif %}
{% endmacro %}
