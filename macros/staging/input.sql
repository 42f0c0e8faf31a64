{#-
    Where the raw events come from (customer_ai__events_source): the built-in demo model, a declared source table,
    or Parquet, JSON or CSV files. Called only by the staging layer.
-#}
{% macro customer_ai_raw_events(with_input_file=false) %}
    {%- set kind = var('customer_ai__events_source') -%}
    {%- if kind == 'demo' -%}
        {{ return(ref('demo_xdm_experience_events')) }}
    {%- elif kind == 'table' -%}
        {{ return(source('customer_ai_input', 'experience_events')) }}
    {%- else -%}
        {{ return(customer_ai_read_files(var('customer_ai__events_path'), with_input_file)) }}
    {%- endif -%}
{% endmacro %}


{#- The file formats customer_ai__events_path may name, by how the path ends. -#}
{% macro customer_ai_file_format(path) %}
    {%- set lowered = (path | string | lower).rstrip('/') -%}
    {%- for ending, kind in [('.parquet', 'parquet'), ('.json', 'json'), ('.jsonl', 'json'), ('.ndjson', 'json'),
                             ('.json.gz', 'json'), ('.jsonl.gz', 'json'), ('.ndjson.gz', 'json'),
                             ('.csv', 'csv'), ('.csv.gz', 'csv')] -%}
        {%- if lowered.endswith(ending) -%}{{ return(kind) }}{%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}


{#- with_input_file: add each row's file name (customer_ai_input_file_column; DuckDB, parse_by_file.sql) -#}
{% macro customer_ai_read_files(path, with_input_file=false) %}
    {%- set kind = customer_ai_file_format(path) -%}
    {%- if kind is none -%}
        {{ exceptions.raise_compiler_error(
            "customer_ai__events_path: cannot tell the format of '" ~ path ~ "'. Supported: Parquet (.parquet), "
            ~ "JSON lines (.json, .jsonl, .ndjson, optionally .gz) and CSV with a header row (.csv, .csv.gz); "
            ~ "a glob such as exports/*.parquet is fine.") }}
    {%- endif -%}
    {{ return(adapter.dispatch('customer_ai_read_files', 'customer_ai')(path, kind, with_input_file)) }}
{% endmacro %}
{% macro default__customer_ai_read_files(path, kind, with_input_file) -%}
    {%- set file_name = (', filename = ' ~ customer_ai_string_literal(customer_ai_input_file_column())) if with_input_file else '' -%}
    {%- if kind == 'json' -%}
        read_json_auto({{ customer_ai_string_literal(path) }}, format = 'auto', union_by_name = true{{ file_name }})
    {%- elif kind == 'csv' -%}
        read_csv({{ customer_ai_string_literal(path) }}, header = true, union_by_name = true, all_varchar = true{{ file_name }})
    {%- else -%}
        read_parquet({{ customer_ai_string_literal(path) }}, union_by_name = true{{ file_name }})
    {%- endif -%}
{%- endmacro %}
{% macro spark__customer_ai_read_files(path, kind, with_input_file) -%}
    {%- if kind == 'csv' -%}
        {{ exceptions.raise_compiler_error(
            "customer_ai__events_path: CSV files are read on DuckDB only; on Spark, convert them to Parquet or load "
            ~ "them into a table (customer_ai__events_source: table).") }}
    {%- endif -%}
    {{ kind }}.{{ customer_ai_quote(path) }}
{%- endmacro %}


{#-
    The raw input's top-level columns, read when the model runs (empty while dbt parses): lower-case name ->
    {name, type}, with the type as the engine describes it (nested records included). A failure to read them, an
    input with no columns or one with no rows stops the run with a message that says which input.
-#}
{% macro customer_ai_input_columns(relation_sql) %}
    {%- if not execute -%}{{ return({}) }}{%- endif -%}
    {%- set described = adapter.dispatch('customer_ai_describe_input', 'customer_ai')(relation_sql) -%}
    {%- set cols = {} -%}
    {%- for name, type_text in described -%}
        {%- do cols.update({name | lower: {'name': name, 'type': type_text | string}}) -%}
    {%- endfor -%}
    {%- set where = customer_ai_input_description() -%}
    {%- if cols | length == 0 or (cols | length == 1 and 'json' in cols and cols['json'].type | upper == 'JSON') -%}
        {{ exceptions.raise_compiler_error(where ~ " has no columns (an empty file?); nothing to stage.") }}
    {%- endif -%}
    {%- set probe = run_query('select 1 as found from ' ~ relation_sql ~ ' as probe limit 1') -%}
    {%- if probe.rows | length == 0 -%}
        {{ exceptions.raise_compiler_error(where ~ " has no rows; nothing to stage.") }}
    {%- endif -%}
    {{ return(cols) }}
{% endmacro %}
{% macro default__customer_ai_describe_input(relation_sql) %}
    {%- set found = [] -%}
    {%- for c in adapter.get_columns_in_relation(relation_sql) -%}{%- do found.append((c.name, c.data_type)) -%}{%- endfor -%}
    {{ return(found) }}
{% endmacro %}
{% macro spark__customer_ai_describe_input(relation_sql) %}
    {#- works for tables and for file paths (parquet.`...`), which dbt-spark's get_columns_in_relation cannot read;
        any failure to read the input stops the run here -#}
    {%- set found = [] -%}
    {%- for row in run_query('describe query select * from ' ~ relation_sql).rows -%}{%- do found.append((row[0], row[1])) -%}{%- endfor -%}
    {{ return(found) }}
{% endmacro %}
{% macro duckdb__customer_ai_describe_input(relation_sql) %}
    {%- set found = [] -%}
    {%- for row in run_query('describe select * from ' ~ relation_sql).rows -%}{%- do found.append((row[0], row[1])) -%}{%- endfor -%}
    {{ return(found) }}
{% endmacro %}

{% macro customer_ai_input_description() %}
    {%- set kind = var('customer_ai__events_source') -%}
    {%- if kind == 'files' -%}
        {{ return("The input files (customer_ai__events_path: '" ~ var('customer_ai__events_path') ~ "')") }}
    {%- elif kind == 'table' -%}
        {{ return("The input table (customer_ai__events_schema / customer_ai__events_table: "
            ~ var('customer_ai__events_schema') ~ "." ~ var('customer_ai__events_table') ~ ")") }}
    {%- endif -%}
    {{ return("The demo events") }}
{% endmacro %}


{#-
    Reading nested types. The engine describes a nested column as text, e.g. on DuckDB
    STRUCT(purchases STRUCT("value" DOUBLE), "order" STRUCT(priceTotal DOUBLE))   or   STRUCT(SKU VARCHAR)[]
    and on Spark  struct<purchases:struct<value:double>>  or  array<struct<SKU:string>>.
    These macros take that text apart, so that a field path is resolved to the exact spelling and the type of the
    field in this input (an export only carries the field groups its schema has).
-#}
{% macro customer_ai_split_type_list(text) %}
    {#- split at the commas that are not nested in brackets or quotes -#}
    {%- set parts = [] -%}
    {%- set state = namespace(depth=0, current='') -%}
    {%- for token in modules.re.findall('"(?:[^"]|"")*"|`(?:[^`]|``)*`|[(),<>\\[\\]]|[^"`(),<>\\[\\]]+', text) -%}
        {%- if token in ['(', '<', '['] -%}{%- set state.depth = state.depth + 1 -%}{%- endif -%}
        {%- if token in [')', '>', ']'] -%}{%- set state.depth = state.depth - 1 -%}{%- endif -%}
        {%- if token == ',' and state.depth == 0 -%}
            {%- do parts.append(state.current | trim) -%}
            {%- set state.current = '' -%}
        {%- else -%}
            {%- set state.current = state.current ~ token -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do parts.append(state.current | trim) -%}
    {{ return(parts) }}
{% endmacro %}

{#- The fields of a struct type: lower-case name -> {name, type}; none when the type is not a struct. -#}
{% macro customer_ai_struct_fields(type_text) %}
    {%- set t = (type_text or '') | string | trim -%}
    {%- if t[:7] | upper == 'STRUCT(' and t[-1:] == ')' -%}
        {%- set separator = ' ' -%}
    {%- elif t[:7] | lower == 'struct<' and t[-1:] == '>' -%}
        {%- set separator = ':' -%}
    {%- else -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set fields = {} -%}
    {%- for part in customer_ai_split_type_list(t[7:-1]) if part -%}
        {%- set quoted = modules.re.match('^"((?:[^"]|"")*)"\\s*:?\\s*(.*)$', part, modules.re.S)
            or modules.re.match('^`((?:[^`]|``)*)`\\s*:?\\s*(.*)$', part, modules.re.S) -%}
        {%- if quoted -%}
            {%- set name = quoted.group(1) | replace('""', '"') | replace('``', '`') -%}
            {%- set field_type = quoted.group(2) -%}
        {%- else -%}
            {%- set pieces = part.split(separator, 1) -%}
            {%- set name = pieces[0] | trim -%}
            {%- set field_type = (pieces[1] if pieces | length > 1 else '') | trim -%}
        {%- endif -%}
        {%- do fields.update({name | lower: {'name': name, 'type': field_type}}) -%}
    {%- endfor -%}
    {{ return(fields) }}
{% endmacro %}

{#- The element type of an array type; none when the type is not an array. -#}
{% macro customer_ai_array_element_type(type_text) %}
    {%- set t = (type_text or '') | string | trim -%}
    {%- if t[-2:] == '[]' -%}{{ return(t[:-2]) }}{%- endif -%}
    {%- if t[:6] | lower == 'array<' and t[-1:] == '>' -%}{{ return(t[6:-1]) }}{%- endif -%}
    {{ return(none) }}
{% endmacro %}

{#- The value type of a map type; none when the type is not a map. -#}
{% macro customer_ai_map_value_type(type_text) %}
    {%- set t = (type_text or '') | string | trim -%}
    {%- if (t[:4] | upper == 'MAP(' and t[-1:] == ')') or (t[:4] | lower == 'map<' and t[-1:] == '>') -%}
        {%- set parts = customer_ai_split_type_list(t[4:-1]) -%}
        {{ return(parts[1] if parts | length == 2 else none) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{#-
    A dotted XDM path (commerce.order.priceTotal) resolved against the input: {sql, type} where sql reads the field
    from the raw row aliased `raw_row` (or from `base`, e.g. a list item), or none when this input has no such field.
    While dbt parses (no input to look at) every path resolves, with an unknown type.
-#}
{% macro customer_ai_field(columns, path, base='raw_row') %}
    {%- set parts = path.split('.') -%}
    {%- if not execute -%}
        {%- set quoted = [] -%}
        {%- for part in parts -%}{%- do quoted.append(customer_ai_quote(part)) -%}{%- endfor -%}
        {{ return({'sql': base ~ '.' ~ (quoted | join('.')), 'type': none}) }}
    {%- endif -%}
    {%- set first = columns.get(parts[0] | lower) -%}
    {%- if first is none -%}{{ return(none) }}{%- endif -%}
    {%- set state = namespace(sql=base ~ '.' ~ customer_ai_quote(first.name), type=first.type, found=true) -%}
    {%- for part in parts[1:] if state.found -%}
        {%- set fields = customer_ai_struct_fields(state.type) -%}
        {%- set field = fields.get(part | lower) if fields is not none else none -%}
        {%- if field is none -%}
            {%- set state.found = false -%}
        {%- else -%}
            {%- set state.sql = state.sql ~ '.' ~ customer_ai_quote(field.name) -%}
            {%- set state.type = field.type -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'sql': state.sql, 'type': state.type} if state.found else none) }}
{% endmacro %}

{#- A field as text (a typed null when the input has no such field). -#}
{% macro customer_ai_field_text(columns, path, base='raw_row') %}
    {%- set field = customer_ai_field(columns, path, base) -%}
    {%- if field is none -%}{{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}{%- endif -%}
    {{ return('cast(' ~ field.sql ~ ' as ' ~ dbt.type_string() ~ ')') }}
{% endmacro %}

{#- A field as a number: {value, unparseable} SQL expressions; value is null and unparseable true when the field
    holds something that is not a number. A missing field is a null value that is never unparseable. -#}
{% macro customer_ai_field_number(columns, path, base='raw_row') %}
    {%- set field = customer_ai_field(columns, path, base) -%}
    {%- if field is none -%}
        {{ return({'value': 'cast(null as ' ~ customer_ai_type_double() ~ ')', 'unparseable': 'false'}) }}
    {%- endif -%}
    {{ return(customer_ai_number_of(field.sql, field.type)) }}
{% endmacro %}

{% macro customer_ai_number_of(expr, type_text) %}
    {%- set value = customer_ai_parse_number(expr, type_text) -%}
    {%- if customer_ai_is_number_type(type_text) -%}
        {{ return({'value': value, 'unparseable': 'false'}) }}
    {%- endif -%}
    {{ return({'value': value, 'unparseable': '(' ~ expr ~ ' is not null and ' ~ value ~ ' is null)'}) }}
{% endmacro %}


{#-
    Sum of one number field over the productListItems[] of an event: {value, unparseable}. value is the sum of the
    items' values that are set (null when no item has one); unparseable is true when an item holds a value that is
    not a number.
-#}
{% macro customer_ai_items_sum(columns, field_name) %}
    {%- set items = customer_ai_field(columns, 'productListItems') -%}
    {%- set element = customer_ai_array_element_type(items.type) if items is not none else none -%}
    {%- set fields = customer_ai_struct_fields(element) if element is not none else none -%}
    {%- set field = fields.get(field_name | lower) if fields is not none else none -%}
    {%- if execute and field is none -%}
        {{ return({'value': 'cast(null as ' ~ customer_ai_type_double() ~ ')', 'unparseable': 'false'}) }}
    {%- endif -%}
    {%- set field = field or {'name': field_name, 'type': none} -%}
    {%- set item_value = customer_ai_number_of('item.' ~ customer_ai_quote(field.name), field.type) -%}
    {{ return(adapter.dispatch('customer_ai_items_sum', 'customer_ai')(items.sql if items else 'raw_row.productListItems', item_value)) }}
{% endmacro %}
{% macro default__customer_ai_items_sum(items_sql, item_value) %}
    {%- set unparseable = 'false' if item_value.unparseable == 'false' else
        'coalesce(len(list_filter(' ~ items_sql ~ ', lambda item: ' ~ item_value.unparseable ~ ')) > 0, false)' -%}
    {{ return({
        'value': 'cast(list_sum(list_transform(' ~ items_sql ~ ', lambda item: ' ~ item_value.value ~ ')) as ' ~ customer_ai_type_double() ~ ')',
        'unparseable': unparseable}) }}
{% endmacro %}
{% macro spark__customer_ai_items_sum(items_sql, item_value) %}
    {#- Spark's aggregate() would turn an empty list into 0 and a list with one null into null: sum only the values
        that are set, and give null when there are none, as DuckDB's list_sum does. -#}
    {%- set values = 'filter(transform(' ~ items_sql ~ ', item -> ' ~ item_value.value ~ '), value -> value is not null)' -%}
    {%- set unparseable = 'false' if item_value.unparseable == 'false' else
        'coalesce(exists(' ~ items_sql ~ ', item -> ' ~ item_value.unparseable ~ '), false)' -%}
    {{ return({
        'value': 'case when size(' ~ values ~ ') > 0 then aggregate(' ~ values ~ ', cast(0 as double), (total, value) -> total + value) end',
        'unparseable': unparseable}) }}
{% endmacro %}


{#-
    The identities an XDM event may carry, in the order they are tried (customer_ai__identity_fields, and for
    identity_map the namespaces of customer_ai__identity_namespaces): a list of {namespace, sql}. The first one that
    is set (after blanks are removed) is the profile id, and its namespace is recorded. identityMap is a map in
    Parquet exports and a record keyed by namespace in JSON; a namespace the input does not have is skipped.
-#}
{% macro customer_ai_identity_candidates(columns) %}
    {%- set candidates = [] -%}
    {%- set identity_map = customer_ai_field(columns, 'identityMap') -%}
    {%- for source in var('customer_ai__identity_fields') -%}
        {%- if source == 'mcid' -%}
            {%- set mcid = customer_ai_field(columns, 'endUserIDs._experience.mcid.id') -%}
            {%- if mcid is not none -%}
                {%- do candidates.append({'namespace': 'mcid', 'sql': mcid.sql}) -%}
            {%- endif -%}
        {%- elif source == 'identity_map' and identity_map is not none -%}
            {%- for namespace in customer_ai_identity_namespaces() -%}
                {%- set entry = customer_ai_identity_map_entry(identity_map, namespace) -%}
                {%- if entry is not none -%}
                    {%- do candidates.append({'namespace': namespace, 'sql': entry}) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(candidates) }}
{% endmacro %}

{#- The ordered identityMap namespaces: customer_ai__identity_namespaces, else the single customer_ai__identity_namespace. -#}
{% macro customer_ai_identity_namespaces() %}
    {%- set listed = var('customer_ai__identity_namespaces') -%}
    {{ return(listed if listed else [var('customer_ai__identity_namespace')]) }}
{% endmacro %}

{#- The id of the first identity of a namespace in identityMap, or none when a record-shaped identityMap has no
    field for that namespace. -#}
{% macro customer_ai_identity_map_entry(identity_map, namespace) %}
    {%- set value_type = customer_ai_map_value_type(identity_map.type) -%}
    {%- if value_type is not none or not execute -%}
        {%- set entries = identity_map.sql ~ '[' ~ customer_ai_string_literal(namespace) ~ ']' -%}
    {%- else -%}
        {%- set fields = customer_ai_struct_fields(identity_map.type) or {} -%}
        {%- set field = fields.get(namespace | lower) -%}
        {%- if field is none or field.name != namespace -%}{{ return(none) }}{%- endif -%}
        {%- set entries = identity_map.sql ~ '.' ~ customer_ai_quote(field.name) -%}
    {%- endif -%}
    {{ return(adapter.dispatch('customer_ai_first_element', 'customer_ai')(entries) ~ '.' ~ customer_ai_quote('id')) }}
{% endmacro %}
{% macro default__customer_ai_first_element(array_sql) -%}
    {{ return(array_sql ~ '[1]') }}
{%- endmacro %}
{% macro spark__customer_ai_first_element(array_sql) -%}
    {{ return(array_sql ~ '[0]') }}
{%- endmacro %}


{#- A column of the flat layout (customer_ai__flat_columns maps canonical names to yours) as {sql, type}, or none
    when the mapping is null or your data has no such column. -#}
{% macro customer_ai_flat_column(mapping, columns, key) %}
    {%- set col = mapping.get(key) -%}
    {%- if not col -%}{{ return(none) }}{%- endif -%}
    {%- if not execute -%}{{ return({'sql': 'raw_row.' ~ customer_ai_quote(col), 'type': none}) }}{%- endif -%}
    {%- set found = columns.get(col | lower) -%}
    {{ return({'sql': 'raw_row.' ~ customer_ai_quote(found.name), 'type': found.type} if found else none) }}
{% endmacro %}

{% macro customer_ai_flat_text(mapping, columns, key) %}
    {%- set column = customer_ai_flat_column(mapping, columns, key) -%}
    {{ return('cast(' ~ column.sql ~ ' as ' ~ dbt.type_string() ~ ')' if column else 'cast(null as ' ~ dbt.type_string() ~ ')') }}
{% endmacro %}

{% macro customer_ai_flat_number(mapping, columns, key) %}
    {%- set column = customer_ai_flat_column(mapping, columns, key) -%}
    {%- if column is none -%}
        {{ return({'value': 'cast(null as ' ~ customer_ai_type_double() ~ ')', 'unparseable': 'false'}) }}
    {%- endif -%}
    {{ return(customer_ai_number_of(column.sql, column.type)) }}
{% endmacro %}
