{#- Custom events (customer_ai__custom_events): their check and the accessor every model reads them through. -#}

{% macro customer_ai_custom_events() %}
    {%- do customer_ai_check_config_while_parsing() -%}
    {%- set result = [] -%}
    {%- for ce in var('customer_ai__custom_events') or [] -%}
        {%- set label = ce.get('label') or (ce.name | replace('_', ' ') | capitalize) -%}
        {%- do result.append({'activity': customer_ai_custom_event_prefix() ~ ce.name, 'slug': 'custom_' ~ ce.name, 'label': label,
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
            {#- not 'all': in a goal that means "each condition met in the window, possibly by different events" -#}
            {%- if ce.get('match', 'any') == 'all' -%}
                {%- do errors.append(where ~ ".match: 'all' is written all_on_one_event for a custom event (every condition "
                    ~ "holds on the same event); in a goal, match: all means each condition is met in the window") -%}
            {%- elif ce.get('match', 'any') not in ['any', 'all_on_one_event'] -%}
                {%- do errors.append(where ~ ".match: unknown value " ~ customer_ai_shown(ce.match) ~ "; one of any, all_on_one_event") -%}
            {%- endif -%}
            {%- do errors.extend(customer_ai_condition_list_errors(ce.get('conditions'), where ~ ".conditions", allow_empty=false)) -%}
            {%- for key in ce.keys() if key not in ['name', 'label', 'noun', 'match', 'conditions'] -%}
                {%- do errors.append(where ~ "." ~ key ~ ": unknown key; a custom event has name, label, noun, match, conditions") -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(errors) }}
{% endmacro %}


{#- Custom events are counted as activities named custom.<name>, beside the event types (the rows of the same
    events under their own types): the one place the prefix is written. -#}
{% macro customer_ai_custom_event_prefix() %}
    {{ return('custom.') }}
{% endmacro %}


{#- Whether an activity (a column holding an event type or custom.<name>) is an interaction: something the profile
    did, counted once (not a custom event, whose events are also counted under their types) and not passive
    (customer_ai__passive_event_types, such as an email sent to them). Interactions make a profile "active". -#}
{% macro customer_ai_is_interaction(activity) -%}
    ({{ activity }} not like '{{ customer_ai_custom_event_prefix() }}%'
        and {{ activity }} not in {{ customer_ai_literal_list(var('customer_ai__passive_event_types')) }})
{%- endmacro %}
