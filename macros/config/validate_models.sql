{#- The configuration check of the model settings: training, scoring, CLV, segments. -#}

{% macro customer_ai_model_config_errors() %}
    {%- set errors = [] -%}
    {%- if var('customer_ai__clv_time_unit') not in ['days', 'weeks'] -%}
        {%- do errors.append("customer_ai__clv_time_unit: unknown unit " ~ customer_ai_shown(var('customer_ai__clv_time_unit')) ~ "; one of days, weeks") -%}
    {%- endif -%}
    {%- for key in ['customer_ai__clv_horizon_days', 'customer_ai__clv_min_repeat_buyers', 'customer_ai__min_positive_examples',
                    'customer_ai__min_negative_examples', 'customer_ai__training_max_rows', 'customer_ai__reason_codes_top_k',
                    'customer_ai__scoring_batch_rows', 'customer_ai__retrain_after_days', 'customer_ai__explain_processes',
                    'customer_ai__segment_min_size', 'customer_ai__min_holdout_examples'] -%}
        {%- if not customer_ai_is_positive_int(var(key)) -%}
            {%- do errors.append(key ~ ": must be a positive whole number, got " ~ customer_ai_shown(var(key))) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set seed = var('customer_ai__model_seed') -%}
    {%- if not (customer_ai_is_number(seed) and seed is integer and seed >= 0) -%}
        {%- do errors.append("customer_ai__model_seed: must be a whole number >= 0, got " ~ customer_ai_shown(seed)) -%}
    {%- endif -%}
    {%- if var('customer_ai__test_every_row') is not boolean -%}
        {%- do errors.append("customer_ai__test_every_row: must be true or false, got " ~ customer_ai_shown(var('customer_ai__test_every_row'))) -%}
    {%- endif -%}
    {%- set rate = var('customer_ai__clv_annual_discount_rate') -%}
    {%- if not customer_ai_is_number(rate) or rate < 0 or rate >= 1 -%}
        {%- do errors.append("customer_ai__clv_annual_discount_rate: must be a number in [0, 1), got " ~ customer_ai_shown(rate)) -%}
    {%- endif -%}
    {%- if var('customer_ai__retrain_policy') not in ['always', 'older_than', 'never'] -%}
        {%- do errors.append("customer_ai__retrain_policy: unknown policy " ~ customer_ai_shown(var('customer_ai__retrain_policy')) ~ "; one of always, older_than, never") -%}
    {%- endif -%}
    {%- set gate = var('customer_ai__poor_auc_threshold') -%}
    {%- if not customer_ai_is_number(gate) or gate < 0.5 or gate > 1 -%}
        {%- do errors.append("customer_ai__poor_auc_threshold: must be a number between 0.5 and 1, got " ~ customer_ai_shown(gate)) -%}
    {%- endif -%}
    {%- set segment_buckets = var('customer_ai__reason_segment_buckets') -%}
    {%- if segment_buckets is string or segment_buckets is mapping or segment_buckets is not iterable
            or segment_buckets | reject('in', ['high', 'medium']) | list | length > 0 -%}
        {%- do errors.append("customer_ai__reason_segment_buckets: must be a list of high and/or medium, got " ~ customer_ai_shown(segment_buckets)) -%}
    {%- endif -%}
    {%- set top = var('customer_ai__value_tier_top_share') -%}
    {%- set middle = var('customer_ai__value_tier_middle_share') -%}
    {%- if not customer_ai_is_number(top) or not customer_ai_is_number(middle) or top <= 0 or middle < 0 or top + middle > 1 -%}
        {%- do errors.append("customer_ai__value_tier_top_share / customer_ai__value_tier_middle_share: need shares > 0 that add up to at most 1, got "
            ~ customer_ai_shown(top) ~ " and " ~ customer_ai_shown(middle)) -%}
    {%- endif -%}
    {{ return(errors) }}
{% endmacro %}
