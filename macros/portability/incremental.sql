{#-
    History tables keep one slice per scoring date (as_of_date): a build replaces the slice of its own date and keeps
    every other. How the slice is replaced differs by engine:
      - DuckDB (and the default): the rows of the build's slices are deleted, then the new rows inserted
        (`replace_slices`, below);
      - Spark with Parquet tables (no row deletes): the table is partitioned by as_of_date and a build overwrites
        its date's partition (insert_overwrite, dynamic partitions).
    Only --full-refresh empties a history table. `keys` are the columns of a slice (as_of_date, or for instance
    prediction_name and as_of_date); on Spark they are the partition columns and come last in the select.
-#}
{% macro customer_ai_dated_history_config(keys=['as_of_date']) %}
    {{ return(adapter.dispatch('customer_ai_dated_history_config', 'customer_ai')(keys)) }}
{% endmacro %}
{% macro default__customer_ai_dated_history_config(keys) %}
    {{ return({'incremental_strategy': 'replace_slices', 'unique_key': keys}) }}
{% endmacro %}
{% macro spark__customer_ai_dated_history_config(keys) %}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': keys}) }}
{% endmacro %}


{#-
    The `replace_slices` incremental strategy: delete the target's rows whose slice (unique_key) the new rows carry,
    then insert the new rows. dbt's delete+insert deletes with `using <new rows> where new.key = target.key`, a join
    of every old row of a slice with every new row of it: when a build runs again on the same as-of date (a second
    build that day, a build after a failed one), a million-profile slice joins a million rows with a million rows
    (it ran for over 30 minutes). Here the new rows are reduced to their distinct slices first, a handful of rows.
-#}
{% macro get_incremental_replace_slices_sql(arg_dict) %}
    {%- set keys = arg_dict['unique_key'] -%}
    {%- set keys = [keys] if keys is string else keys -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }} as existing
    where exists (
        select 1
        from (select distinct {{ keys | join(', ') }} from {{ arg_dict['temp_relation'] }}) as rebuilt_slices
        where {% for key in keys %}rebuilt_slices.{{ key }} = existing.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
    );

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}


{#-
    Post-hook of incremental Python models. On DuckDB, dbt-duckdb stages the rows of an incremental Python model
    in a table named <model>__dbt_tmp<time> that it marks temporary but creates as an ordinary table, and so
    never drops: every incremental build would leave one in the warehouse, where BI tools list it. This drops
    the model's staged tables once their rows are in. Other engines stage in views or temporary relations.
-#}
{% macro customer_ai_drop_staged_python_rows() %}
    {{ return(adapter.dispatch('customer_ai_drop_staged_python_rows', 'customer_ai')()) }}
{% endmacro %}
{% macro default__customer_ai_drop_staged_python_rows() %}{% endmacro %}
{% macro duckdb__customer_ai_drop_staged_python_rows() %}
    {%- if execute -%}
        {%- set staged = run_query(
            "select table_name from information_schema.tables"
            ~ " where table_catalog = " ~ customer_ai_string_literal(this.database)
            ~ " and table_schema = " ~ customer_ai_string_literal(this.schema)
            ~ " and starts_with(table_name, " ~ customer_ai_string_literal(this.identifier ~ '__dbt_tmp') ~ ")"
        ) -%}
        {%- for row in staged.rows -%}
            {%- do adapter.drop_relation(this.incorporate(path={'identifier': row[0]}, type='table')) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}


{#-
    Whether an existing table has every one of `columns` (lower-case names). An incremental model whose table was
    built by an earlier version, before it had the columns a run compares, is rebuilt whole once.
-#}
{% macro customer_ai_relation_has_columns(relation, columns) %}
    {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- for column in columns if column not in present -%}{{ return(false) }}{%- endfor -%}
    {{ return(true) }}
{% endmacro %}


{#-
    The code that an incremental model's kept rows depend on: the model's own code and the code of every macro of
    this project. It goes into the model's rules fingerprint. Most of the SQL is in macros (conditions, windows,
    repeated keys, sessions), so an upgrade that changes only a macro recomputes the rows the next run would
    otherwise keep, and the refresh still equals a full build. Every project macro counts, even one the model never
    calls: an upgrade recomputes a little more than it must, but rows never go stale.
-#}
{% macro customer_ai_model_code() %}
    {{ return(model.raw_code ~ '\n' ~ customer_ai_project_macros_digest()) }}
{% endmacro %}

{% macro customer_ai_project_macros_digest() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set code = [] -%}
    {#- every macro of the project (also when it is installed as a package): the customer_ai_ macros, their
        dispatched variants and the incremental strategies (get_incremental_restage_changed_days_sql and the
        others), which decide the rows a run replaces. Macros of dbt and of the adapters are left out, since a dbt
        upgrade alone should not recompute every row -#}
    {%- for name, value in context.items() | sort
        if value.macro is defined and value.macro.package_name == 'customer_ai' -%}
        {%- do code.append(name ~ '\n' ~ value.macro.macro_sql) -%}
    {%- endfor -%}
    {%- if not code -%}
        {{ exceptions.raise_compiler_error("customer_ai_project_macros_digest: found none of the project's macros;"
            ~ " the rules fingerprints would not see a change of them") }}
    {%- endif -%}
    {{ return(local_md5(code | join('\n'))) }}
{% endmacro %}


{#- `expr in (<the dates>)` for a list of YYYY-MM-DD strings; false for an empty list. -#}
{% macro customer_ai_in_dates(expr, dates) -%}
    {%- if not dates -%}false{%- else -%}
    {{ expr }} in (
        {%- for day in dates %}{{ customer_ai_date_literal(day) }}{{ ', ' if not loop.last }}{% endfor -%}
    )
    {%- endif -%}
{%- endmacro %}


{#-
    Whether a timestamp without time zone (`expr`) lies on one of the days (YYYY-MM-DD strings): the same rows as
    `customer_ai_in_dates('cast(' ~ expr ~ ' as date)', dates)`, written as ranges of the timestamp itself,
    consecutive days merged into one range. A scan can filter by such ranges before it reads other columns (DuckDB
    also skips whole row groups by their min and max), where a cast must be computed on every row first.
-#}
{% macro customer_ai_on_days(expr, dates) -%}
    {%- if not dates -%}{{ return('false') }}{%- endif -%}
    {%- set one_day = modules.datetime.timedelta(days=1) -%}
    {%- set ranges = [] -%}
    {%- for text in dates | map('string') | unique | sort -%}
        {%- set day = modules.datetime.date.fromisoformat(text) -%}
        {%- if ranges and ranges[-1][1] == day -%}
            {%- set extended = [ranges[-1][0], day + one_day] -%}
            {%- do ranges.pop() -%}
            {%- do ranges.append(extended) -%}
        {%- else -%}
            {%- do ranges.append([day, day + one_day]) -%}
        {%- endif -%}
    {%- endfor -%}
    (
        {%- for start, end in ranges %}
        ({{ expr }} >= {{ customer_ai_timestamp_literal(start) }} and {{ expr }} < {{ customer_ai_timestamp_literal(end) }})
        {%- if not loop.last %} or{% endif -%}
        {%- endfor %}
    )
{%- endmacro %}


{#-
    What an incremental model decides when it renders (which days to restage, which snapshot dates to keep) is
    written into its compiled SQL as a comment, and its incremental strategy reads it back from there rather than
    asking again. The comment also shows, in target/run/, what a run decided. `value` is a JSON object without
    nested objects.
-#}
{% macro customer_ai_compiled_record(label, value) -%}
    /* {{ label }}: {{ tojson(value) }} */
{%- endmacro %}

{% macro customer_ai_recorded(label, strategy) %}
    {%- set recorded = modules.re.search('/[*] ' ~ label ~ ': ([{][^{}]*[}]) [*]/', model['compiled_code'] or '') -%}
    {%- if recorded is none -%}
        {{ exceptions.raise_compiler_error(this.identifier ~ ": the compiled SQL does not record its " ~ label
            ~ " (customer_ai_compiled_record); the " ~ strategy ~ " strategy cannot tell which rows to replace") }}
    {%- endif -%}
    {{ return(fromjson(recorded.group(1))) }}
{% endmacro %}


{#-
    The start of this dbt run as a timestamp: what a row records as the time a run (re)wrote it (staged_at,
    sessionized_at, computed_at), and what the next run, or a test, compares.
-#}
{% macro customer_ai_run_started_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}
