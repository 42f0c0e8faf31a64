{#-
    The segments that exist for every configuration, generated from customer_ai__predictions: three bucket
    segments and one combined segment per prediction, and the three value tiers. Reason-code segments come on top,
    found in the data (ml_reason_segments_assigned).
-#}
{% macro customer_ai_static_segments() %}
    {%- set top_pct = (var('customer_ai__value_tier_top_share') * 100) | round(1) -%}
    {%- set middle_pct = (var('customer_ai__value_tier_middle_share') * 100) | round(1) -%}
    {%- set segments = [] -%}
    {%- for p in customer_ai_predictions() -%}
        {%- set churn = p.propensity_type == 'churn' -%}
        {%- set what = 'churn risk' if churn else 'propensity' -%}
        {%- for bucket, rule in [('high', '75 or above'), ('medium', '25 to 74'), ('low', 'below 25')] -%}
            {%- do segments.append({
                'segment_id': p.name ~ '__bucket_' ~ bucket,
                'segment_name': p.name ~ ': ' ~ bucket ~ ' ' ~ what,
                'segment_kind': 'propensity_bucket',
                'prediction_name': p.name,
                'bucket': bucket,
                'segment_definition': 'Profiles whose ' ~ p.name ~ ' score is ' ~ rule ~ ' (' ~ bucket ~ ' bucket).'}) -%}
        {%- endfor -%}
        {%- do segments.append({
            'segment_id': p.name ~ ('__high_value_at_risk' if churn else '__likely_high_value_converters'),
            'segment_name': p.name ~ (': high value at risk' if churn else ': likely high-value converters'),
            'segment_kind': 'combined',
            'prediction_name': p.name,
            'bucket': 'high',
            'segment_definition': 'High bucket of ' ~ p.name ~ ' (score 75 or above) and top value tier (the top '
                ~ top_pct ~ ' % of purchasers by predicted lifetime value).'}) -%}
    {%- endfor -%}
    {%- for tier, name, rule in [
        ('top', 'Top value customers', 'Purchasers in the top ' ~ top_pct ~ ' % by predicted lifetime value.'),
        ('middle', 'Middle value customers', 'Purchasers in the next ' ~ middle_pct ~ ' % by predicted lifetime value.'),
        ('base', 'Base value customers', 'The other purchasers, by predicted lifetime value.')] -%}
        {%- do segments.append({'segment_id': 'value_tier__' ~ tier, 'segment_name': name, 'segment_kind': 'value_tier',
            'prediction_name': none, 'bucket': none, 'segment_definition': rule}) -%}
    {%- endfor -%}
    {{ return(segments) }}
{% endmacro %}


{#- The static segments as a SQL relation (for a CTE). -#}
{% macro customer_ai_static_segments_sql() %}
    {%- for s in customer_ai_static_segments() %}
    select
        {{ customer_ai_literal(s.segment_id) }} as segment_id,
        {{ customer_ai_literal(s.segment_name) }} as segment_name,
        {{ customer_ai_literal(s.segment_kind) }} as segment_kind,
        cast({{ customer_ai_literal(s.prediction_name) }} as {{ dbt.type_string() }}) as prediction_name,
        {{ customer_ai_literal(s.segment_definition) }} as segment_definition
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{% endmacro %}
