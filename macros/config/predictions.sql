{#-
    The predictions (customer_ai__predictions): their check and the accessor every model reads them through. The
    condition grammar checked here is compiled to SQL in macros/goals/conditions.sql.
-#}

{#- The predictions with defaults applied (the configuration is checked first while dbt parses). -#}
{% macro customer_ai_predictions() %}
    {%- do customer_ai_check_config_while_parsing() -%}
    {%- set result = [] -%}
    {%- for p in var('customer_ai__predictions') -%}
        {%- set elig = p.get('eligibility') or {} -%}
        {%- do result.append({
            'name': p.name,
            'propensity_type': p.propensity_type,
            'will': p.goal.get('will', 'occur'),
            'match': p.goal.get('match', 'any'),
            'conditions': p.goal.conditions,
            'outcome_window_days': p.outcome_window_days,
            'active_within_days': elig.get('active_within_days', 45),
            'eligibility_match': elig.get('match', 'any'),
            'eligibility_conditions': elig.get('conditions') or [],
            'exclusions': p.get('exclusions') or [],
        }) -%}
    {%- endfor -%}
    {{ return(result) }}
{% endmacro %}


{% macro customer_ai_prediction_errors() %}
    {%- set errors = [] -%}
    {%- set predictions = var('customer_ai__predictions') -%}
    {%- if predictions is none or predictions is string or predictions is mapping or predictions | length == 0 -%}
        {%- do errors.append("customer_ai__predictions: must be a non-empty list of predictions") -%}
        {{ return(errors) }}
    {%- endif -%}
    {%- set seen = [] -%}
    {%- for p in predictions -%}
        {%- if p is not mapping -%}
            {%- do errors.append("customer_ai__predictions[" ~ loop.index0 ~ "]: must be a mapping with name, propensity_type, goal, outcome_window_days") -%}
        {%- else -%}
            {%- do errors.extend(customer_ai_prediction_entry_errors(p, loop.index0, seen)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(errors) }}
{% endmacro %}


{#- The problems of one prediction (a mapping) at position index; seen collects the valid names so far. -#}
{% macro customer_ai_prediction_entry_errors(p, index, seen) %}
    {%- set errors = [] -%}
    {%- set allowed_keys = ['name', 'propensity_type', 'goal', 'outcome_window_days', 'eligibility', 'exclusions', 'description'] -%}
    {%- set where = "customer_ai__predictions[" ~ (p.get('name') if customer_ai_is_name(p.get('name')) else index) ~ "]" -%}
    {%- if not p.get('name') or not customer_ai_is_name(p.get('name')) -%}
        {%- do errors.append(where ~ ".name: must be a lower-case identifier (letters, digits, _), got " ~ customer_ai_shown(p.get('name'))) -%}
    {%- elif p.name in seen -%}
        {%- do errors.append(where ~ ".name: duplicate prediction name '" ~ p.name ~ "'") -%}
    {%- else -%}
        {%- do seen.append(p.name) -%}
    {%- endif -%}
    {%- for key in p.keys() if key not in allowed_keys -%}
        {%- do errors.append(where ~ "." ~ key ~ ": unknown key; a prediction has " ~ (allowed_keys | join(', '))) -%}
    {%- endfor -%}
    {%- if p.get('propensity_type') not in ['conversion', 'churn'] -%}
        {%- do errors.append(where ~ ".propensity_type: unknown propensity type '" ~ p.get('propensity_type') ~ "'; one of conversion, churn") -%}
    {%- endif -%}
    {%- if 'outcome_window_days' not in p or p.outcome_window_days is none -%}
        {%- do errors.append(where ~ ".outcome_window_days: missing; the number of days after the snapshot in which the goal is observed") -%}
    {%- elif not customer_ai_is_positive_int(p.outcome_window_days) -%}
        {%- do errors.append(where ~ ".outcome_window_days: must be a positive whole number of days, got " ~ p.outcome_window_days) -%}
    {%- endif -%}
    {%- set goal = p.get('goal') -%}
    {%- if goal is not mapping -%}
        {%- do errors.append(where ~ ".goal: missing; a goal has will, match and conditions") -%}
    {%- else -%}
        {%- for key in goal.keys() if key not in ['will', 'match', 'conditions'] -%}
            {%- do errors.append(where ~ ".goal." ~ key ~ ": unknown key; a goal has will, match, conditions") -%}
        {%- endfor -%}
        {%- if goal.get('will', 'occur') not in ['occur', 'not_occur'] -%}
            {%- do errors.append(where ~ ".goal.will: unknown value '" ~ goal.will ~ "'; one of occur, not_occur") -%}
        {%- endif -%}
        {%- if goal.get('match', 'any') not in ['any', 'all'] -%}
            {%- do errors.append(where ~ ".goal.match: unknown value '" ~ goal.match ~ "'; one of any, all") -%}
        {%- endif -%}
        {%- do errors.extend(customer_ai_condition_list_errors(goal.get('conditions'), where ~ ".goal.conditions", allow_empty=false)) -%}
    {%- endif -%}
    {%- set elig = p.get('eligibility') or {} -%}
    {%- if elig is not mapping -%}
        {%- do errors.append(where ~ ".eligibility: must be a mapping with active_within_days and conditions") -%}
    {%- else -%}
        {%- for key in elig.keys() if key not in ['active_within_days', 'conditions', 'match'] -%}
            {%- do errors.append(where ~ ".eligibility." ~ key ~ ": unknown key; eligibility has active_within_days, match, conditions") -%}
        {%- endfor -%}
        {%- if not customer_ai_is_positive_int(elig.get('active_within_days', 45)) -%}
            {%- do errors.append(where ~ ".eligibility.active_within_days: must be a positive whole number of days, got " ~ elig.get('active_within_days')) -%}
        {%- endif -%}
        {%- if elig.get('match', 'any') not in ['any', 'all'] -%}
            {%- do errors.append(where ~ ".eligibility.match: unknown value '" ~ elig.match ~ "'; one of any, all") -%}
        {%- endif -%}
        {%- do errors.extend(customer_ai_condition_list_errors(elig.get('conditions'), where ~ ".eligibility.conditions")) -%}
    {%- endif -%}
    {%- do errors.extend(customer_ai_condition_list_errors(p.get('exclusions'), where ~ ".exclusions")) -%}
    {{ return(errors) }}
{% endmacro %}


{% macro customer_ai_condition_errors(condition, where) %}
    {%- set errors = [] -%}
    {%- set fields = customer_ai_condition_fields() -%}
    {%- set operators = customer_ai_operators() -%}
    {%- if condition is not mapping -%}
        {%- do errors.append(where ~ ": a condition must be a mapping such as {event_type: commerce.purchases} or {field: revenue, operator: gte, value: 50}, got " ~ condition) -%}
        {{ return(errors) }}
    {%- endif -%}
    {%- for key in condition.keys() if key not in ['event_type', 'field', 'operator', 'value'] -%}
        {%- do errors.append(where ~ "." ~ key ~ ": unknown key; a condition has event_type, field, operator, value") -%}
    {%- endfor -%}
    {%- if 'event_type' not in condition and 'field' not in condition -%}
        {%- do errors.append(where ~ ": a condition needs event_type or field") -%}
    {%- endif -%}
    {%- if 'event_type' in condition -%}
        {%- do errors.extend(customer_ai_event_type_errors(condition.event_type, where ~ ".event_type")) -%}
    {%- endif -%}
    {%- if 'field' in condition -%}
        {%- set op = condition.get('operator') -%}
        {%- if condition.field not in fields -%}
            {%- do errors.append(where ~ ".field: unknown field '" ~ condition.field ~ "'; known fields: " ~ (fields.keys() | list | sort | join(', ')) ~ " (add others with customer_ai__passthrough_fields)") -%}
        {%- endif -%}
        {%- if op is none -%}
            {%- do errors.append(where ~ ".operator: missing; one of " ~ (operators | join(', '))) -%}
        {%- elif op not in operators -%}
            {%- do errors.append(where ~ ".operator: unknown operator '" ~ op ~ "'; one of " ~ (operators | join(', '))) -%}
        {%- elif op != 'exists' and 'value' not in condition -%}
            {%- do errors.append(where ~ ".value: missing; operator '" ~ op ~ "' compares with a value") -%}
        {%- elif op == 'in' and (condition.value is string or condition.value is not iterable or condition.value | length == 0) -%}
            {%- do errors.append(where ~ ".value: operator 'in' needs a non-empty list, got " ~ condition.value) -%}
        {%- elif op in ['gt', 'gte', 'lt', 'lte'] and (condition.value is not number or condition.value is boolean) -%}
            {%- do errors.append(where ~ ".value: operator '" ~ op ~ "' needs a number, got " ~ condition.value) -%}
        {%- elif op in ['gt', 'gte', 'lt', 'lte'] and fields.get(condition.field) == 'string' -%}
            {%- do errors.append(where ~ ".operator: '" ~ op ~ "' compares numbers but field '" ~ condition.field ~ "' is text") -%}
        {%- elif op in ['starts_with', 'contains'] and condition.value is not string -%}
            {%- do errors.append(where ~ ".value: operator '" ~ op ~ "' needs text, got " ~ condition.value) -%}
        {%- endif -%}
    {%- elif 'operator' in condition or 'value' in condition -%}
        {%- do errors.append(where ~ ": operator and value need a field") -%}
    {%- endif -%}
    {{ return(errors) }}
{% endmacro %}


{% macro customer_ai_condition_list_errors(conditions, where, allow_empty=true) %}
    {%- set errors = [] -%}
    {%- if conditions is none -%}{%- set conditions = [] -%}{%- endif -%}
    {%- if conditions is string or conditions is mapping or conditions is not iterable -%}
        {%- do errors.append(where ~ ": must be a list of conditions") -%}
    {%- elif conditions | length == 0 and not allow_empty -%}
        {%- do errors.append(where ~ ": needs at least one condition") -%}
    {%- else -%}
        {%- for c in conditions -%}
            {%- do errors.extend(customer_ai_condition_errors(c, where ~ "[" ~ loop.index0 ~ "]")) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(errors) }}
{% endmacro %}


{#- The predictions as a relation (for a CTE), one row per prediction: what the labels need to know of each. -#}
{% macro customer_ai_predictions_sql() %}
    {%- for p in customer_ai_predictions() %}
    select
        {{ customer_ai_literal(p.name) }} as prediction_name,
        {{ customer_ai_literal(p.propensity_type) }} as propensity_type,
        {{ customer_ai_literal(p.will) }} as goal_will,
        {{ customer_ai_literal(p.match) }} as goal_match,
        {{ p.conditions | length }} as goal_conditions,
        {{ customer_ai_literal(p.eligibility_match) }} as eligibility_match,
        {{ p.eligibility_conditions | length }} as eligibility_conditions,
        {{ p.active_within_days }} as active_within_days,
        {{ p.outcome_window_days }} as outcome_window_days
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{% endmacro %}
