{#-
    The condition grammar compiled to SQL. A condition is {event_type: X}, {field: F, operator: O, value: V}, or
    both (then both must hold). Fields are columns of stg_experience_events (see customer_ai_condition_fields);
    values always pass through customer_ai_literal, never into SQL as they are.

    {event_type: X} holds for an event when X is one of its types (event_types: its eventType and every measure set
    on it), so a product view that is also a page view matches both. On rows that carry a single type in
    `event_type` (the daily activity table), pass single_type=true.
-#}
{% macro customer_ai_condition_sql(condition, alias=none, single_type=false) %}
    {%- set prefix = (alias ~ '.') if alias else '' -%}
    {%- set parts = [] -%}
    {%- if condition.get('event_type') is not none -%}
        {%- if single_type -%}
            {%- do parts.append(prefix ~ 'event_type = ' ~ customer_ai_literal(condition.event_type)) -%}
        {%- else -%}
            {%- do parts.append(customer_ai_array_contains(prefix ~ 'event_types', customer_ai_literal(condition.event_type))) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if condition.get('field') is not none -%}
        {%- set col = prefix ~ customer_ai_quote(condition.field) -%}
        {%- set op = condition.operator -%}
        {%- set v = condition.get('value') -%}
        {%- if op == 'exists' -%}
            {%- do parts.append(col ~ ' is not null') -%}
        {%- elif op == 'equals' -%}
            {%- do parts.append(col ~ ' = ' ~ customer_ai_literal(v)) -%}
        {%- elif op == 'not_equals' -%}
            {%- do parts.append('(' ~ col ~ ' is null or ' ~ col ~ ' <> ' ~ customer_ai_literal(v) ~ ')') -%}
        {%- elif op == 'in' -%}
            {%- set items = [] -%}
            {%- for item in v -%}{%- do items.append(customer_ai_literal(item)) -%}{%- endfor -%}
            {%- do parts.append(col ~ ' in (' ~ items | join(', ') ~ ')') -%}
        {%- elif op == 'starts_with' -%}
            {#- substring compare, not LIKE: no wildcard characters to escape in the value -#}
            {%- do parts.append('substring(' ~ col ~ ', 1, ' ~ (v | length) ~ ') = ' ~ customer_ai_literal(v)) -%}
        {%- elif op == 'contains' -%}
            {%- do parts.append(dbt.position(customer_ai_literal(v), col) ~ ' > 0') -%}
        {%- elif op in ['gt', 'gte', 'lt', 'lte'] -%}
            {%- set sym = {'gt': '>', 'gte': '>=', 'lt': '<', 'lte': '<='}[op] -%}
            {%- do parts.append(col ~ ' ' ~ sym ~ ' ' ~ customer_ai_literal(v)) -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("unknown operator '" ~ op ~ "'") }}
        {%- endif -%}
    {%- endif -%}
    {{ return('(' ~ (parts | join(' and ')) ~ ')') }}
{% endmacro %}


{#- Any of the conditions (false for an empty list). -#}
{% macro customer_ai_any_condition_sql(conditions, alias=none, single_type=false) %}
    {%- if not conditions -%}{{ return('(1 = 0)') }}{%- endif -%}
    {%- set parts = [] -%}
    {%- for c in conditions -%}{%- do parts.append(customer_ai_condition_sql(c, alias, single_type)) -%}{%- endfor -%}
    {{ return('(' ~ (parts | join(' or ')) ~ ')') }}
{% endmacro %}
