{#-
    Parsing by input file (stg_experience_events__parsed, on DuckDB with file input): the parsed rows are kept in a
    table, and a run parses only the input files that are new or changed since the last run. Parsing is the costly
    part of staging (every raw row's identity, types, timestamp and items); a daily export adds files and seldom
    rewrites old ones.

    A file is known by its name, size and modification time (read_blob lists them without reading the content): a
    file whose name, size or time changed is parsed again, a file that is gone loses its rows. Each row records its
    file's name, size and time, and the parsing rules it was parsed under: the parse SQL rendered for the whole
    input (its columns, the identity, event-type and pass-through settings, the project's macros), with the path
    left out. When they change, every file is parsed again. A file is read with the whole input's columns
    (union_by_name over every file, the file name as a filter), so a row parses exactly as in a full build.

    With any other input (a table, the demo) or on Spark, the parsed model is a view, as parsing a table cannot be
    narrowed to what changed.
-#}
{% macro customer_ai_parses_by_file() %}
    {{ return(adapter.dispatch('customer_ai_parses_by_file', 'customer_ai')()) }}
{% endmacro %}
{% macro default__customer_ai_parses_by_file() %}
    {{ return(false) }}
{% endmacro %}
{% macro duckdb__customer_ai_parses_by_file() %}
    {{ return(var('customer_ai__events_source') == 'files') }}
{% endmacro %}

{% macro customer_ai_parsed_config() %}
    {%- if customer_ai_parses_by_file() -%}
        {#- sync_all_columns: a pass-through field added or removed changes the rules, and every file is parsed again -#}
        {{ return({'materialized': 'incremental', 'incremental_strategy': 'replace_changed_files',
                   'on_schema_change': 'sync_all_columns'}) }}
    {%- endif -%}
    {{ return({'materialized': 'view'}) }}
{% endmacro %}


{#- The column the file reader adds with each row's file name (a name no export uses). -#}
{% macro customer_ai_input_file_column() %}
    {{ return('customer_ai_input_file') }}
{% endmacro %}


{#- The input files with their identity: file name, size and modification time (UTC), without reading them. -#}
{% macro customer_ai_input_file_versions() -%}
    (
        select
            filename as input_file,
            size as input_file_size,
            cast(timezone('UTC', last_modified) as timestamp) as input_file_modified_at
        from read_blob({{ customer_ai_string_literal(var('customer_ai__events_path')) }})
    )
{%- endmacro %}


{#-
    The SQL of the parse without what a run narrows it to (the files it reads, where they are): its fingerprint is
    what "the same parsing rules" means. `parse_sql` holds the placeholders below.
-#}
{% macro customer_ai_parsing_rules_fingerprint(parse_sql) %}
    {%- set path = customer_ai_string_literal(var('customer_ai__events_path')) -%}
    {{ return(local_md5(parse_sql | replace(path, "'<events path>'"))) }}
{% endmacro %}

{% macro customer_ai_input_files_placeholder() %}
    {{ return('/* customer_ai: the input files this run parses */') }}
{% endmacro %}
{% macro customer_ai_parsing_rules_placeholder() %}
    {{ return("'<customer_ai: parsing rules fingerprint>'") }}
{% endmacro %}


{#-
    The files this run parses (when the parsed table exists): every file when a row was parsed under other rules,
    else those whose name, size and time no row records. Returns the list of file names, or none for every file.
-#}
{% macro customer_ai_input_files_to_parse(parsed, rules) %}
    {%- if not execute or not customer_ai_relation_has_columns(parsed, ['input_file', 'input_file_size',
            'input_file_modified_at', 'parsing_rules_fingerprint']) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set other_rules = run_query('select 1 from ' ~ parsed ~ ' where parsing_rules_fingerprint is distinct from '
        ~ customer_ai_string_literal(rules) ~ ' limit 1') -%}
    {%- if other_rules.rows | length > 0 -%}{{ return(none) }}{%- endif -%}
    {%- set query -%}
    select input_file_version.input_file
    from {{ customer_ai_input_file_versions() }} as input_file_version
    left join (
        select distinct input_file, input_file_size, input_file_modified_at from {{ parsed }}
    ) as parsed_file
        on input_file_version.input_file = parsed_file.input_file
        and input_file_version.input_file_size = parsed_file.input_file_size
        and input_file_version.input_file_modified_at = parsed_file.input_file_modified_at
    where parsed_file.input_file is null
    order by input_file_version.input_file
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{% endmacro %}


{#- The filter of the raw rows to the files a run parses (`files`: a list of names, none for every file). -#}
{% macro customer_ai_input_files_filter(files) -%}
    {#- an empty list gives `in (null)`: no file -#}
    {%- if files is not none -%}
    where {{ customer_ai_input_file_column() }} in {{ customer_ai_literal_list(files) }}
    {%- endif -%}
{%- endmacro %}


{#- What a run parses, for the log and for the strategy: the rules fingerprint and the count of files. -#}
{% macro customer_ai_parsed_files_record(rules, files) -%}
    {{ customer_ai_compiled_record('parsed input files', {
        'parsing_rules_fingerprint': rules, 'files_parsed': (files | length) if files is not none else 'all'}) }}
{%- endmacro %}


{#-
    The `replace_changed_files` incremental strategy: delete the rows of every file version that is no longer in the
    input (a file changed or gone) and the rows parsed under other rules, then insert the rows parsed now.
-#}
{% macro get_incremental_replace_changed_files_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set recorded = customer_ai_recorded('parsed input files', 'replace_changed_files') -%}
    {%- do log(this.identifier ~ ': parsing ' ~ ('every input file' if recorded['files_parsed'] == 'all'
        else recorded['files_parsed'] ~ ' new or changed input files'), info=true) -%}
    delete from {{ target }} as parsed_row
    where parsed_row.parsing_rules_fingerprint is distinct from {{ customer_ai_string_literal(recorded['parsing_rules_fingerprint']) }}
        or not exists (
            select 1
            from {{ customer_ai_input_file_versions() }} as input_file_version
            where input_file_version.input_file = parsed_row.input_file
                and input_file_version.input_file_size = parsed_row.input_file_size
                and input_file_version.input_file_modified_at = parsed_row.input_file_modified_at
        );

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}
