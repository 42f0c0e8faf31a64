{#-
    The configuration check of the settings other than predictions and custom events, by topic (input, time,
    models). Every setting is input: names that reach SQL as identifiers must match a strict pattern (and are also
    quoted with customer_ai_quote), values are checked for their type and range, and each message names the var.
-#}

{#- A lower-case name (predictions, custom events, pass-through fields): letters, digits and _, nothing else (a
    trailing line break included: fullmatch, not match with $). -#}
{% macro customer_ai_is_name(value) %}
    {{ return(value is string and modules.re.fullmatch('[a-z][a-z0-9_]*', value) is not none) }}
{% endmacro %}

{#- A value as it should appear in a message: text in single quotes with invisible characters escaped ('p1\n'),
    anything else as JSON. -#}
{% macro customer_ai_shown(value) %}
    {%- if value is string -%}
        {{ return("'" ~ tojson(value)[1:-1] ~ "'") }}
    {%- endif -%}
    {{ return(tojson(value)) }}
{% endmacro %}

{#-
    Identifier patterns. relation: a database, schema or table name; column: a column name (spaces, dots and dashes
    allowed, since CSV headers have them); xdm_path: a dotted path of XDM field names. None of them admits a quote,
    backtick, semicolon or line break, so a setting can never end a quoted identifier and append SQL.
-#}
{% macro customer_ai_identifier_errors(value, where, kind='relation', required=true) %}
    {%- set patterns = {
        'relation': '[A-Za-z0-9_][A-Za-z0-9_$-]{0,254}',
        'column': '[A-Za-z0-9_@$][A-Za-z0-9_ @$.-]{0,254}',
        'xdm_path': '[A-Za-z0-9_@$-]{1,128}(\\.[A-Za-z0-9_@$-]{1,128}){0,15}'} -%}
    {%- set described = {
        'relation': 'letters, digits, _, $ and -',
        'column': 'letters, digits, spaces and _ @ $ . -',
        'xdm_path': 'field names of letters, digits and _ @ $ -, joined by dots'} -%}
    {%- if value is none -%}
        {{ return([where ~ ": missing"] if required else []) }}
    {%- endif -%}
    {%- if value is not string or modules.re.fullmatch(patterns[kind], value) is none -%}
        {{ return([where ~ ": " ~ customer_ai_shown(value) ~ " is not allowed here; use " ~ described[kind]]) }}
    {%- endif -%}
    {{ return([]) }}
{% endmacro %}

{#- An event type in a condition or a list setting: one the project knows (standard or extra). -#}
{% macro customer_ai_event_type_errors(value, where) %}
    {%- set known = [] -%}
    {%- for t in customer_ai_known_event_types() -%}{%- do known.append(t.event_type) -%}{%- endfor -%}
    {%- if value is not string or value | length == 0 -%}
        {{ return([where ~ ": must be an event type such as commerce.purchases, got " ~ customer_ai_shown(value)]) }}
    {%- endif -%}
    {%- if value in known -%}{{ return([]) }}{%- endif -%}
    {%- for k in known if k | lower == value | trim | lower -%}
        {{ return([where ~ ": " ~ customer_ai_shown(value) ~ " is written '" ~ k ~ "'"]) }}
    {%- endfor -%}
    {{ return([where ~ ": unknown event type " ~ customer_ai_shown(value) ~ "; add your own types to "
        ~ "customer_ai__extra_event_types (standard types: macros/config/event_types.sql)"]) }}
{% endmacro %}

{% macro customer_ai_is_number(value) %}
    {{ return(value is number and value is not boolean) }}
{% endmacro %}


{#- A date written YYYY-MM-DD that exists in the calendar; returns [errors, date or none]. -#}
{% macro customer_ai_date_errors(value, where) %}
    {%- set text = value | string -%}
    {%- set parts = modules.re.fullmatch('(\\d{4})-(\\d{2})-(\\d{2})', text) -%}
    {%- if parts is none -%}
        {{ return([[where ~ ": must be a date written YYYY-MM-DD, got " ~ customer_ai_shown(text)], none]) }}
    {%- endif -%}
    {%- set year, month, day = parts.group(1) | int, parts.group(2) | int, parts.group(3) | int -%}
    {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {%- if year < 1900 or month < 1 or month > 12 or day < 1 or day > month_days[month - 1] -%}
        {{ return([[where ~ ": " ~ customer_ai_shown(text) ~ " is not a date in the calendar"], none]) }}
    {%- endif -%}
    {{ return([[], modules.datetime.date(year, month, day)]) }}
{% endmacro %}


{% macro customer_ai_input_config_errors() %}
    {%- set errors = [] -%}
    {%- set source_kind = var('customer_ai__events_source', 'demo') -%}
    {%- if source_kind not in ['demo', 'table', 'files'] -%}
        {%- do errors.append("customer_ai__events_source: unknown value " ~ customer_ai_shown(source_kind) ~ "; one of demo, table, files") -%}
    {%- endif -%}
    {%- set events_format = var('customer_ai__events_format', 'xdm') -%}
    {%- if events_format not in ['xdm', 'flat'] -%}
        {%- do errors.append("customer_ai__events_format: unknown value " ~ customer_ai_shown(events_format) ~ "; one of xdm, flat") -%}
    {%- endif -%}
    {%- if source_kind == 'table' -%}
        {%- do errors.extend(customer_ai_identifier_errors(var('customer_ai__events_database', none), 'customer_ai__events_database', required=false)) -%}
        {%- do errors.extend(customer_ai_identifier_errors(var('customer_ai__events_schema', none), 'customer_ai__events_schema')) -%}
        {%- do errors.extend(customer_ai_identifier_errors(var('customer_ai__events_table', none), 'customer_ai__events_table')) -%}
    {%- endif -%}
    {%- set path = var('customer_ai__events_path', none) -%}
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
    {%- set identity_fields = var('customer_ai__identity_fields', ['identity_map', 'mcid']) -%}
    {%- if identity_fields is string or identity_fields is not iterable or identity_fields | length == 0 -%}
        {%- do errors.append("customer_ai__identity_fields: must be a non-empty list of identity_map and/or mcid") -%}
    {%- else -%}
        {%- for f in identity_fields if f not in ['identity_map', 'mcid'] -%}
            {%- do errors.append("customer_ai__identity_fields: unknown identity field " ~ customer_ai_shown(f) ~ "; use identity_map and/or mcid") -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set namespaces = var('customer_ai__identity_namespaces', none) -%}
    {%- if namespaces is not none and (namespaces is string or namespaces is mapping or namespaces is not iterable or namespaces | length == 0) -%}
        {%- do errors.append("customer_ai__identity_namespaces: must be a non-empty list of identityMap namespaces (e.g. [CRMID, ECID]) or null") -%}
    {%- else -%}
        {%- for ns in (namespaces or [var('customer_ai__identity_namespace', 'ECID')]) -%}
            {%- if ns is not string or modules.re.fullmatch('[A-Za-z0-9_.:/@-]{1,128}', ns) is none -%}
                {%- do errors.append("customer_ai__identity_namespace" ~ ("s[" ~ loop.index0 ~ "]" if namespaces else "")
                    ~ ": " ~ customer_ai_shown(ns) ~ " is not a namespace code (letters, digits and _ . : / @ -)") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}

    {# flat layout #}
    {%- set flat = var('customer_ai__flat_columns', {}) or {} -%}
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
    {%- for f in var('customer_ai__passthrough_fields', []) or [] -%}
        {%- set where = "customer_ai__passthrough_fields[" ~ loop.index0 ~ "]" -%}
        {%- if f is not mapping or not customer_ai_is_name(f.get('name')) -%}
            {%- do errors.append(where ~ ".name: must be a lower-case identifier, got " ~ customer_ai_shown(f.get('name') if f is mapping else f)) -%}
        {%- else -%}
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
    {%- set extra = var('customer_ai__extra_event_types', []) or [] -%}
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
        {%- set listed = var(key, none) -%}
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
        {%- if not customer_ai_is_number(var(key, none)) or var(key) <= 0 -%}
            {%- do errors.append(key ~ ": must be a positive number, got " ~ customer_ai_shown(var(key, none))) -%}
        {%- endif -%}
    {%- endfor -%}

    {# profile attributes #}
    {%- set attrs = var('customer_ai__profile_attributes', none) -%}
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
    {%- set demo_profiles = var('customer_ai__demo_profiles', none) -%}
    {%- if demo_profiles is not none and not customer_ai_is_positive_int(demo_profiles) -%}
        {%- do errors.append("customer_ai__demo_profiles: must be a positive whole number or null, got " ~ customer_ai_shown(demo_profiles)) -%}
    {%- endif -%}
    {%- set demo_seed = var('customer_ai__demo_seed', 42) -%}
    {%- if not (customer_ai_is_number(demo_seed) and demo_seed is integer and demo_seed >= 0) -%}
        {%- do errors.append("customer_ai__demo_seed: must be a whole number >= 0, got " ~ customer_ai_shown(demo_seed)) -%}
    {%- endif -%}
    {%- set report_dir = var('customer_ai__report_dir', none) -%}
    {%- if report_dir is not none and (report_dir is not string or modules.re.search('[\\x00-\\x1f]', report_dir)) -%}
        {%- do errors.append("customer_ai__report_dir: must be a folder path or null, got " ~ customer_ai_shown(report_dir)) -%}
    {%- endif -%}
    {%- set export_dir = var('customer_ai__bi_export_dir', none) -%}
    {%- if export_dir is not none and (export_dir is not string or modules.re.search('[\\x00-\\x1f]', export_dir)) -%}
        {%- do errors.append("customer_ai__bi_export_dir: must be a folder path or null, got " ~ customer_ai_shown(export_dir)) -%}
    {%- endif -%}
    {{ return(errors) }}
{% endmacro %}


{% macro customer_ai_time_config_errors() %}
    {%- set errors = [] -%}
    {%- for key in ['customer_ai__training_snapshots', 'customer_ai__snapshot_spacing_days',
                    'customer_ai__sessions_inactivity_minutes', 'customer_ai__sessions_max_minutes'] -%}
        {%- if not customer_ai_is_positive_int(var(key, none)) -%}
            {%- do errors.append(key ~ ": must be a positive whole number, got " ~ customer_ai_shown(var(key, none))) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set as_of = var('customer_ai__as_of_date', none) -%}
    {%- if as_of is not none -%}
        {%- set checked = customer_ai_date_errors(as_of, 'customer_ai__as_of_date') -%}
        {%- do errors.extend(checked[0]) -%}
        {%- if checked[1] is not none and checked[1] > run_started_at.date() -%}
            {%- do errors.append("customer_ai__as_of_date: " ~ as_of ~ " is in the future (the run started on "
                ~ run_started_at.strftime('%Y-%m-%d') ~ " UTC); scores need observed events before the as-of date") -%}
        {%- endif -%}
    {%- endif -%}
    {%- set backtests = var('customer_ai__backtest_dates', 3) -%}
    {%- if customer_ai_is_number(backtests) -%}
        {%- if not (backtests is integer and 0 <= backtests <= 24) -%}
            {%- do errors.append("customer_ai__backtest_dates: a count must be a whole number from 0 to 24, got " ~ customer_ai_shown(backtests)) -%}
        {%- endif -%}
    {%- elif backtests is string or backtests is mapping or backtests is not iterable -%}
        {%- do errors.append("customer_ai__backtest_dates: must be a count (e.g. 3) or a list of dates YYYY-MM-DD, got " ~ customer_ai_shown(backtests)) -%}
    {%- else -%}
        {%- for day in backtests -%}
            {%- do errors.extend(customer_ai_date_errors(day, 'customer_ai__backtest_dates[' ~ loop.index0 ~ ']')[0]) -%}
        {%- endfor -%}
        {%- if backtests | length > 24 -%}
            {%- do errors.append("customer_ai__backtest_dates: at most 24 dates, got " ~ (backtests | length)) -%}
        {%- endif -%}
    {%- endif -%}
    {%- set share = var('customer_ai__as_of_min_daily_share', 0.1) -%}
    {%- if not customer_ai_is_number(share) or share < 0 or share > 1 -%}
        {%- do errors.append("customer_ai__as_of_min_daily_share: must be a number between 0 and 1, got " ~ customer_ai_shown(share)) -%}
    {%- endif -%}
    {{ return(errors) }}
{% endmacro %}


{% macro customer_ai_model_config_errors() %}
    {%- set errors = [] -%}
    {%- if var('customer_ai__clv_time_unit', 'weeks') not in ['days', 'weeks'] -%}
        {%- do errors.append("customer_ai__clv_time_unit: unknown unit " ~ customer_ai_shown(var('customer_ai__clv_time_unit')) ~ "; one of days, weeks") -%}
    {%- endif -%}
    {%- for key in ['customer_ai__clv_horizon_days', 'customer_ai__clv_min_repeat_buyers', 'customer_ai__min_positive_examples',
                    'customer_ai__min_negative_examples', 'customer_ai__training_max_rows', 'customer_ai__reason_codes_top_k',
                    'customer_ai__scoring_batch_rows', 'customer_ai__retrain_after_days', 'customer_ai__explain_processes',
                    'customer_ai__segment_min_size', 'customer_ai__min_holdout_examples'] -%}
        {%- if not customer_ai_is_positive_int(var(key, none)) -%}
            {%- do errors.append(key ~ ": must be a positive whole number, got " ~ customer_ai_shown(var(key, none))) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set seed = var('customer_ai__model_seed', 42) -%}
    {%- if not (customer_ai_is_number(seed) and seed is integer and seed >= 0) -%}
        {%- do errors.append("customer_ai__model_seed: must be a whole number >= 0, got " ~ customer_ai_shown(seed)) -%}
    {%- endif -%}
    {%- set rate = var('customer_ai__clv_annual_discount_rate', 0.1) -%}
    {%- if not customer_ai_is_number(rate) or rate < 0 or rate >= 1 -%}
        {%- do errors.append("customer_ai__clv_annual_discount_rate: must be a number in [0, 1), got " ~ customer_ai_shown(rate)) -%}
    {%- endif -%}
    {%- if var('customer_ai__retrain_policy', 'always') not in ['always', 'older_than', 'never'] -%}
        {%- do errors.append("customer_ai__retrain_policy: unknown policy " ~ customer_ai_shown(var('customer_ai__retrain_policy')) ~ "; one of always, older_than, never") -%}
    {%- endif -%}
    {%- set gate = var('customer_ai__poor_auc_threshold', 0.65) -%}
    {%- if not customer_ai_is_number(gate) or gate < 0.5 or gate > 1 -%}
        {%- do errors.append("customer_ai__poor_auc_threshold: must be a number between 0.5 and 1, got " ~ customer_ai_shown(gate)) -%}
    {%- endif -%}
    {%- set segment_buckets = var('customer_ai__reason_segment_buckets', ['high']) -%}
    {%- if segment_buckets is string or segment_buckets is mapping or segment_buckets is not iterable
            or segment_buckets | reject('in', ['high', 'medium']) | list | length > 0 -%}
        {%- do errors.append("customer_ai__reason_segment_buckets: must be a list of high and/or medium, got " ~ customer_ai_shown(segment_buckets)) -%}
    {%- endif -%}
    {%- set top = var('customer_ai__value_tier_top_share', 0.1) -%}
    {%- set middle = var('customer_ai__value_tier_middle_share', 0.4) -%}
    {%- if not customer_ai_is_number(top) or not customer_ai_is_number(middle) or top <= 0 or middle < 0 or top + middle > 1 -%}
        {%- do errors.append("customer_ai__value_tier_top_share / customer_ai__value_tier_middle_share: need shares > 0 that add up to at most 1, got "
            ~ customer_ai_shown(top) ~ " and " ~ customer_ai_shown(middle)) -%}
    {%- endif -%}
    {{ return(errors) }}
{% endmacro %}
