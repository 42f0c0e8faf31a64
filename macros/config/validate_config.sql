{#-
    The configuration check, by topic: input (validate_input.sql), time (validate_time.sql), models
    (validate_models.sql), predictions (predictions.sql) and custom events (custom_events.sql).
    customer_ai_validate_config() runs every topic at the start of every dbt run/build (on-run-start), and once more
    while dbt parses a model that reads the configuration (customer_ai_check_config_while_parsing), so that a bad
    setting stops dbt with its message, never with a Jinja error from the model it broke. Messages name the var, the
    prediction and the key:
    customer_ai__predictions[purchase_next_30d].goal.conditions[0].operator: ...

    Every setting is input: names that reach SQL as identifiers must match a strict pattern (and are also quoted with
    customer_ai_quote), values are checked for their type and range. The helpers below are shared by the topics.
-#}

{% macro customer_ai_validate_config() %}
    {%- set errors = [] -%}
    {%- do errors.extend(customer_ai_input_config_errors()) -%}
    {%- do errors.extend(customer_ai_time_config_errors()) -%}
    {%- do errors.extend(customer_ai_model_config_errors()) -%}
    {%- do errors.extend(customer_ai_custom_event_errors()) -%}
    {%- do errors.extend(customer_ai_prediction_errors()) -%}
    {%- do customer_ai_raise_config_errors(errors) -%}
    {{ return('') }}
{% endmacro %}


{#-
    The check the accessors (customer_ai_predictions, customer_ai_custom_events) run: only while dbt parses, when a
    model is rendered before any hook has run. dbt parses again whenever a var changes, so the configuration a model
    is compiled with at execution has passed this check, and on-run-start has checked it once more.
-#}
{% macro customer_ai_check_config_while_parsing() %}
    {%- if not execute -%}
        {%- do customer_ai_validate_config() -%}
    {%- endif -%}
{% endmacro %}


{% macro customer_ai_raise_config_errors(errors) %}
    {%- if errors | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            "Customer AI configuration is invalid (" ~ (errors | length) ~ " problem(s)):\n  - " ~ (errors | join("\n  - "))
            ~ "\nSee the commented vars block in dbt_project.yml and the README (Configuration)."
        ) }}
    {%- endif -%}
{% endmacro %}


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


{% macro customer_ai_is_positive_int(value) %}
    {{ return(value is number and value is not boolean and value is integer and value > 0) }}
{% endmacro %}
