{#- The configuration check of the input settings: where the events come from, their layout and identities. -#}

{% macro customer_ai_input_config_errors() %}
    {%- set errors = [] -%}
    {%- set source_kind = var('customer_ai__events_source') -%}
    {%- if source_kind not in ['demo', 'table', 'files'] -%}
        {%- do errors.append("customer_ai__events_source: unknown value " ~ customer_ai_shown(source_kind) ~ "; one of demo, table, files") -%}
    {%- endif -%}
    {%- set events_format = var('customer_ai__events_format') -%}
    {%- if events_format not in ['xdm', 'flat'] -%}
        {%- do errors.append("customer_ai__events_format: unknown value " ~ customer_ai_shown(events_format) ~ "; one of xdm, flat") -%}
    {%- endif -%}
    {%- if source_kind == 'table' -%}
        {%- do errors.extend(customer_ai_identifier_errors(var('customer_ai__events_database'), 'customer_ai__events_database', required=false)) -%}
        {%- do errors.extend(customer_ai_identifier_errors(var('customer_ai__events_schema'), 'customer_ai__events_schema')) -%}
        {%- do errors.extend(customer_ai_identifier_errors(var('customer_ai__events_table'), 'customer_ai__events_table')) -%}
    {%- endif -%}
    {%- set path = var('customer_ai__events_path') -%}
    {%- if source_kind == 'files' -%}
        {%- if not path or path is not string -%}
            {%- do errors.append("customer_ai__events_path: required when customer_ai__events_source is 'files'") -%}
        {%- elif modules.re.search('[\\x00-\\x1f`]', path) -%}
            {%- do errors.append("customer_ai__events_path: " ~ customer_ai_shown(path) ~ " holds a control character or a backtick") -%}
        {%- elif customer_ai_file_format(path) is none -%}
            {%- do errors.append("customer_ai__events_path: cannot tell the format of " ~ customer_ai_shown(path)
                ~ "; supported: .parquet, .json / .jsonl / .ndjson (optionally .gz), .csv (with a header row)") -%}
        {%- endif -%}
    {%- endif -%}

    {# identity #}
    {%- set identity_fields = var('customer_ai__identity_fields') -%}
    {%- if identity_fields is string or identity_fields is not iterable or identity_fields | length == 0 -%}
        {%- do errors.append("customer_ai__identity_fields: must be a non-empty list of identity_map and/or mcid") -%}
    {%- else -%}
        {%- for f in identity_fields if f not in ['identity_map', 'mcid'] -%}
            {%- do errors.append("customer_ai__identity_fields: unknown identity field " ~ customer_ai_shown(f) ~ "; use identity_map and/or mcid") -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set namespaces = var('customer_ai__identity_namespaces') -%}
    {%- if namespaces is not none and (namespaces is string or namespaces is mapping or namespaces is not iterable or namespaces | length == 0) -%}
        {%- do errors.append("customer_ai__identity_namespaces: must be a non-empty list of identityMap namespaces (e.g. [CRMID, ECID]) or null") -%}
    {%- else -%}
        {%- for ns in (namespaces or [var('customer_ai__identity_namespace')]) -%}
            {%- if ns is not string or modules.re.fullmatch('[A-Za-z0-9_.:/@-]{1,128}', ns) is none -%}
                {%- do errors.append("customer_ai__identity_namespace" ~ ("s[" ~ loop.index0 ~ "]" if namespaces else "")
                    ~ ": " ~ customer_ai_shown(ns) ~ " is not a namespace code (letters, digits and _ . : / @ -)") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}

    {# flat layout #}
    {%- set flat = var('customer_ai__flat_columns') or {} -%}
    {%- if flat is not mapping -%}
        {%- do errors.append("customer_ai__flat_columns: must be a mapping of canonical column -> your column") -%}
    {%- else -%}
        {%- set canonical = ['event_id', 'profile_id', 'event_type', 'event_timestamp', 'revenue', 'quantity',
                             'purchase_id', 'page_name', 'page_url', 'channel'] -%}
        {%- for key, column in flat.items() -%}
            {%- if key not in canonical -%}
                {%- do errors.append("customer_ai__flat_columns." ~ key ~ ": unknown column; one of " ~ (canonical | join(', '))) -%}
            {%- else -%}
                {%- do errors.extend(customer_ai_identifier_errors(column, "customer_ai__flat_columns." ~ key, 'column',
                    required=key in ['event_id', 'profile_id', 'event_type', 'event_timestamp'])) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}

    {# pass-through fields #}
    {%- set passthrough = var('customer_ai__passthrough_fields') or [] -%}
    {%- if passthrough is string or passthrough is mapping or passthrough is not iterable -%}
        {%- do errors.append("customer_ai__passthrough_fields: must be a list of {name, xdm_path, flat_column, type}, got " ~ customer_ai_shown(passthrough)) -%}
        {%- set passthrough = [] -%}
    {%- endif -%}
    {%- for f in passthrough -%}
        {%- set where = "customer_ai__passthrough_fields[" ~ loop.index0 ~ "]" -%}
        {%- if f is not mapping or not customer_ai_is_name(f.get('name')) -%}
            {%- do errors.append(where ~ ".name: must be a lower-case identifier, got " ~ customer_ai_shown(f.get('name') if f is mapping else f)) -%}
        {%- else -%}
            {%- if customer_ai_is_staging_column_name(f.name) -%}
                {%- do errors.append(where ~ ".name: " ~ customer_ai_shown(f.name) ~ " is a column name the project's staging uses already; choose another name") -%}
            {%- endif -%}
            {%- if f.get('type', 'string') not in ['string', 'number'] -%}
                {%- do errors.append(where ~ ".type: one of string, number, got " ~ customer_ai_shown(f.type)) -%}
            {%- endif -%}
            {%- for key in f.keys() if key not in ['name', 'xdm_path', 'flat_column', 'type'] -%}
                {%- do errors.append(where ~ "." ~ key ~ ": unknown key; a pass-through field has name, xdm_path, flat_column, type") -%}
            {%- endfor -%}
            {%- do errors.extend(customer_ai_identifier_errors(f.get('xdm_path'), where ~ ".xdm_path", 'xdm_path', required=false)) -%}
            {%- do errors.extend(customer_ai_identifier_errors(f.get('flat_column'), where ~ ".flat_column", 'column', required=false)) -%}
        {%- endif -%}
    {%- endfor -%}

    {# event types #}
    {%- set standard = [] -%}
    {%- for t in customer_ai_standard_event_types() -%}{%- do standard.append(t.event_type | lower) -%}{%- endfor -%}
    {%- set extra = var('customer_ai__extra_event_types') or [] -%}
    {%- if extra is string or extra is mapping or extra is not iterable -%}
        {%- do errors.append("customer_ai__extra_event_types: must be a list of event types") -%}
    {%- else -%}
        {%- for e in extra -%}
            {%- set name = e.get('event_type') if e is mapping else e -%}
            {%- set where = "customer_ai__extra_event_types[" ~ loop.index0 ~ "]" -%}
            {%- if name is not string or modules.re.fullmatch('[A-Za-z][A-Za-z0-9_.-]{0,127}', name) is none -%}
                {%- do errors.append(where ~ ": " ~ customer_ai_shown(name) ~ " is not an event type (letters, digits and _ . -)") -%}
            {%- elif name | lower in standard -%}
                {%- do errors.append(where ~ ": " ~ customer_ai_shown(name) ~ " is a standard event type already") -%}
            {%- endif -%}
            {%- if e is mapping -%}
                {%- for key in e.keys() if key not in ['event_type', 'label', 'noun'] -%}
                    {%- do errors.append(where ~ "." ~ key ~ ": unknown key; an extra event type has event_type, label, noun") -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for key in ['customer_ai__feature_event_types', 'customer_ai__passive_event_types'] -%}
        {%- set listed = var(key) -%}
        {%- if listed is not none -%}
            {%- if listed is string or listed is mapping or listed is not iterable -%}
                {%- do errors.append(key ~ ": must be a list of event types") -%}
            {%- else -%}
                {%- for t in listed -%}
                    {%- do errors.extend(customer_ai_event_type_errors(t, key ~ "[" ~ loop.index0 ~ "]")) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for key in ['customer_ai__max_event_revenue', 'customer_ai__max_event_quantity'] -%}
        {%- if not customer_ai_is_number(var(key)) or var(key) <= 0 -%}
            {%- do errors.append(key ~ ": must be a positive number, got " ~ customer_ai_shown(var(key))) -%}
        {%- endif -%}
    {%- endfor -%}

    {# profile attributes #}
    {%- set attrs = var('customer_ai__profile_attributes') -%}
    {%- if attrs is not none -%}
        {%- set where = "customer_ai__profile_attributes" -%}
        {%- if attrs is not mapping or attrs.get('relation') is not mapping -%}
            {%- do errors.append(where ~ ": must be a mapping with relation ({schema, table} or {source: [name, table]}), profile_id_column and columns") -%}
        {%- else -%}
            {%- set relation = attrs.relation -%}
            {%- if relation.get('source') is not none -%}
                {%- if relation.source is string or relation.source is not iterable or relation.source | length != 2 -%}
                    {%- do errors.append(where ~ ".relation.source: must be [source name, table name]") -%}
                {%- endif -%}
            {%- else -%}
                {%- do errors.extend(customer_ai_identifier_errors(relation.get('database'), where ~ ".relation.database", required=false)) -%}
                {%- do errors.extend(customer_ai_identifier_errors(relation.get('schema'), where ~ ".relation.schema", required=false)) -%}
                {%- do errors.extend(customer_ai_identifier_errors(relation.get('table'), where ~ ".relation.table")) -%}
            {%- endif -%}
            {%- do errors.extend(customer_ai_identifier_errors(attrs.get('profile_id_column', 'profile_id'), where ~ ".profile_id_column", 'column')) -%}
            {%- set attr_columns = attrs.get('columns', []) -%}
            {%- if attr_columns is string or attr_columns is mapping or attr_columns is not iterable -%}
                {%- do errors.append(where ~ ".columns: must be a list of {name, type, personal_data}") -%}
            {%- else -%}
                {%- for col in attr_columns -%}
                    {%- set col_where = where ~ ".columns[" ~ loop.index0 ~ "]" -%}
                    {%- if col is not mapping -%}
                        {%- do errors.append(col_where ~ ": must be a mapping {name, type, personal_data}") -%}
                    {%- else -%}
                        {%- do errors.extend(customer_ai_identifier_errors(col.get('name'), col_where ~ ".name", 'column')) -%}
                        {%- if col.get('type', 'numeric') not in ['numeric', 'categorical'] -%}
                            {%- do errors.append(col_where ~ ".type: one of numeric, categorical, got " ~ customer_ai_shown(col.type)) -%}
                        {%- endif -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}

    {# demo #}
    {%- set demo_profiles = var('customer_ai__demo_profiles') -%}
    {%- if demo_profiles is not none and not customer_ai_is_positive_int(demo_profiles) -%}
        {%- do errors.append("customer_ai__demo_profiles: must be a positive whole number or null, got " ~ customer_ai_shown(demo_profiles)) -%}
    {%- endif -%}
    {%- set demo_seed = var('customer_ai__demo_seed') -%}
    {%- if not (customer_ai_is_number(demo_seed) and demo_seed is integer and demo_seed >= 0) -%}
        {%- do errors.append("customer_ai__demo_seed: must be a whole number >= 0, got " ~ customer_ai_shown(demo_seed)) -%}
    {%- endif -%}
    {%- set report_dir = var('customer_ai__report_dir') -%}
    {%- if report_dir is not none and (report_dir is not string or modules.re.search('[\\x00-\\x1f]', report_dir)) -%}
        {%- do errors.append("customer_ai__report_dir: must be a folder path or null, got " ~ customer_ai_shown(report_dir)) -%}
    {%- endif -%}
    {%- set export_dir = var('customer_ai__bi_export_dir') -%}
    {%- if export_dir is not none and (export_dir is not string or modules.re.search('[\\x00-\\x1f]', export_dir)) -%}
        {%- do errors.append("customer_ai__bi_export_dir: must be a folder path or null, got " ~ customer_ai_shown(export_dir)) -%}
    {%- endif -%}
    {{ return(errors) }}
{% endmacro %}


{#-
    The names a pass-through field cannot take: the columns of the staged events (stg_experience_events__parsed,
    __validated and stg_experience_events; tests/singular/assert_staged_columns_are_reserved.sql checks the list
    against the built tables) and the working columns the staging models add on the way (a field of the same name
    would make them ambiguous). identity_<n> and has_<event type>_measure are working columns too (patterns below).
-#}
{% macro customer_ai_staged_event_columns() %}
    {{ return(['event_id', 'profile_id', 'identity_namespace', 'event_type', 'event_types', 'raw_event_type',
               'raw_timestamp', 'event_at', 'event_date', 'revenue', 'revenue_unparseable', 'quantity',
               'quantity_unparseable', 'purchase_id', 'page_name', 'page_url', 'channel', 'rejection_reason',
               'input_row_hash', 'input_file', 'input_file_size', 'input_file_modified_at', 'parsing_rules_fingerprint',
               'staging_rules_fingerprint', 'staged_at']) }}
{% endmacro %}
{% macro customer_ai_staging_working_columns() %}
    {{ return(['order_total', 'order_total_unparseable', 'item_revenue', 'item_revenue_unparseable', 'raw_channel',
               'known_event_type', 'primary_event_type', 'is_purchase', 'row_problem', 'repeated_event_id',
               'copy_number']) }}
{% endmacro %}
{% macro customer_ai_is_staging_column_name(name) %}
    {{ return(name in customer_ai_staged_event_columns() or name in customer_ai_staging_working_columns()
              or modules.re.fullmatch('identity_[0-9]+|has_[a-z0-9_]+_measure', name) is not none) }}
{% endmacro %}
