{#-
    The training examples (int_training_examples_sampled, int_backtest_training_examples_sampled) are kept whole
    while what they are drawn from is unchanged. They are read from the labels and features of the training
    snapshots, which a daily run keeps (a training snapshot's outcome window closed long ago: see
    snapshot_incremental.sql), so on most days the examples a run would draw are the rows already there: drawing
    them again joined and sorted millions of rows (28 s of a million-profile refresh) for a model the retrain
    policy keeps anyway.

    Each row records inputs_fingerprint, one digest for the whole table (customer_ai_examples_inputs_fingerprint):
    the code (the model's and the project's macros) and sample size, the feature columns, and for every (prediction,
    snapshot date) the examples are drawn from, the inputs_fingerprint of its label rows and of its feature rows.
    A run
      - keeps every row when the stored digest equals the one the inputs give now: the model selects nothing and the
        `replace_unless_kept` strategy writes nothing;
      - otherwise draws every example again and replaces the table (a new training date, a late event in a
        training window, a changed setting, feature or label rule).
    The digest is found when the model renders and written into the compiled SQL, as the per-snapshot models do.
    On Spark, where the labels and features are rebuilt every run, the models are tables and the column is null.
-#}
{% macro customer_ai_examples_incremental_config() %}
    {{ return(adapter.dispatch('customer_ai_examples_incremental_config', 'customer_ai')()) }}
{% endmacro %}
{% macro default__customer_ai_examples_incremental_config() %}
    {#- sync_all_columns: a table built before inputs_fingerprint existed gets it (null), and is drawn again once -#}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'replace_unless_kept',
               'on_schema_change': 'sync_all_columns'}) }}
{% endmacro %}
{% macro spark__customer_ai_examples_incremental_config() %}
    {{ return({'materialized': 'table'}) }}
{% endmacro %}


{#-
    The digest of what a training-examples model is drawn from, as a SQL string literal (null on engines that
    rebuild the examples every run). `snapshots` is a query of the (key, prediction_name, snapshot_date) rows the
    examples are drawn from; key names the group the rows belong to (a backtest date, or a constant).
-#}
{% macro customer_ai_examples_inputs_fingerprint(snapshots) %}
    {{ return(adapter.dispatch('customer_ai_examples_inputs_fingerprint', 'customer_ai')(snapshots)) }}
{% endmacro %}
{% macro default__customer_ai_examples_inputs_fingerprint(snapshots) %}
    {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
{% endmacro %}
{% macro duckdb__customer_ai_examples_inputs_fingerprint(snapshots) %}
    {%- if not execute -%}{{ return("''") }}{%- endif -%}
    {%- set rules = [customer_ai_model_code(), var('customer_ai__training_max_rows'),
                     customer_ai_feature_columns('features')] -%}
    {%- set query -%}
    with

    snapshots as (
        {{ snapshots | indent(8) }}
    ),

    label_inputs as (
        select
            prediction_name,
            snapshot_date,
            min(inputs_fingerprint) as first_fingerprint,
            max(inputs_fingerprint) as last_fingerprint
        from {{ ref('int_prediction_snapshots_labeled') }}
        where snapshot_date in (select snapshot_date from snapshots)
        group by prediction_name, snapshot_date
    ),

    feature_inputs as (
        select
            snapshot_date,
            min(inputs_fingerprint) as first_fingerprint,
            max(inputs_fingerprint) as last_fingerprint
        from {{ ref('int_profile_snapshots_featurized') }}
        where snapshot_date in (select snapshot_date from snapshots)
        group by snapshot_date
    )

    select md5(coalesce(string_agg(
        concat_ws('|', snapshots.key, snapshots.prediction_name, cast(snapshots.snapshot_date as varchar),
            coalesce(label_inputs.first_fingerprint, 'no labels'), coalesce(label_inputs.last_fingerprint, ''),
            coalesce(feature_inputs.first_fingerprint, 'no features'), coalesce(feature_inputs.last_fingerprint, '')),
        ',' order by snapshots.key, snapshots.prediction_name, snapshots.snapshot_date
    ), 'no snapshots'))
    from (select distinct * from snapshots) as snapshots
    left join label_inputs
        on snapshots.prediction_name = label_inputs.prediction_name
        and snapshots.snapshot_date = label_inputs.snapshot_date
    left join feature_inputs
        on snapshots.snapshot_date = feature_inputs.snapshot_date
    {%- endset -%}
    {%- set inputs = run_query(query).rows[0][0] -%}
    {{ return(customer_ai_string_literal(local_md5(tojson(rules) ~ '|' ~ inputs))) }}
{% endmacro %}


{#-
    Whether this run keeps every stored example: an incremental run whose table holds rows, each recording
    `fingerprint` (the literal customer_ai_examples_inputs_fingerprint gave). Logs what it decided.
-#}
{% macro customer_ai_examples_kept(fingerprint) %}
    {%- if not (execute and is_incremental()) -%}{{ return(false) }}{%- endif -%}
    {%- if not customer_ai_relation_has_columns(this, ['inputs_fingerprint']) -%}
        {%- do log(this.identifier ~ ': drawing every example (built before rows recorded their inputs)', info=true) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set stored = run_query(
        'select count(*) > 0 and min(inputs_fingerprint) = ' ~ fingerprint ~ ' and max(inputs_fingerprint) = '
        ~ fingerprint ~ ' and count(inputs_fingerprint) = count(*) from ' ~ this
    ).rows[0][0] -%}
    {%- do log(this.identifier ~ (': keeping every example (its labels and features are unchanged)' if stored
        else ': drawing every example (its labels, features or rules changed)'), info=true) -%}
    {{ return(stored) }}
{% endmacro %}


{#-
    The `replace_unless_kept` incremental strategy: when the run keeps the examples (recorded in the compiled SQL by
    customer_ai_compiled_record('kept examples', ...)) nothing is written; otherwise the new rows replace the
    table.
-#}
{% macro get_incremental_replace_unless_kept_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- if customer_ai_recorded('kept examples', 'replace_unless_kept')['kept'] -%}
    delete from {{ target }} where false
    {%- else -%}
    create or replace table {{ target }} as
    select * from {{ arg_dict['temp_relation'] }}
    {%- endif %}
{% endmacro %}
