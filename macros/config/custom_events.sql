{#- Custom events (customer_ai__custom_events): their check and the accessor every model reads them through. -#}

{% macro customer_ai_custom_events() %}
    {%- do customer_ai_check_config_while_parsing() -%}
    {%- set result = [] -%}
    {%- for ce in var('customer_ai__custom_events') or [] -%}
        {%- set label = ce.get('label') or (ce.name | replace('_', ' ') | capitalize) -%}
        {%- do result.append({'activity': 'custom.' ~ ce.name, 'slug': 'custom_' ~ ce.name, 'label': label,
                              'noun': ce.get('noun') or label | lower,
                              'match': ce.get('match', 'any'), 'conditions': ce.conditions}) -%}
    {%- endfor -%}
    {{ return(result) }}
{% endmacro %}


{% macro customer_ai_custom_event_errors() %}
    {%- set errors = [] -%}
    {%- set custom_names = [] -%}
    {%- for ce in var('customer_ai__custom_events') or [] -%}
        {%- set ce_name = ce.get('name') if ce is mapping else none -%}
        {%- set where = "customer_ai__custom_events[" ~ (ce_name if customer_ai_is_name(ce_name) else loop.index0) ~ "]" -%}
        {%- if ce_name is none or not customer_ai_is_name(ce_name) -%}
            {%- do errors.append(where ~ ".name: must be a lower-case identifier (letters, digits, _), got " ~ customer_ai_shown(ce_name)) -%}
        {%- elif ce_name in custom_names -%}
            {%- do errors.append(where ~ ".name: duplicate custom event name '" ~ ce_name ~ "'") -%}
        {%- else -%}
            {%- do custom_names.append(ce_name) -%}
        {%- endif -%}
        {%- if ce is mapping -%}
            {%- if ce.get('match', 'any') not in ['any', 'all'] -%}
                {%- do errors.append(where ~ ".match: unknown value '" ~ ce.match ~ "'; one of any, all") -%}
            {%- endif -%}
            {%- do errors.extend(customer_ai_condition_list_errors(ce.get('conditions'), where ~ ".conditions", allow_empty=false)) -%}
            {%- for key in ce.keys() if key not in ['name', 'label', 'noun', 'match', 'conditions'] -%}
                {%- do errors.append(where ~ "." ~ key ~ ": unknown key; a custom event has name, label, noun, match, conditions") -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(errors) }}
{% endmacro %}
