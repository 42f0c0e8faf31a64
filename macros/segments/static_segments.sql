{#-
    The segments that exist for every configuration, generated from customer_ai__predictions: three bucket
    segments and one combined segment per prediction, and the three value tiers. Reason-code segments come on top,
    found in the data (ml_reason_segments_assigned, ids from customer_ai/segments.py). The ids of these segments are
    written here only: int_segment_memberships_unioned finds a member's segment by kind, prediction, bucket and tier.
-#}
{% macro customer_ai_static_segments() %}
    {%- set top_pct = (var('customer_ai__value_tier_top_share') * 100) | round(1) -%}
    {%- set middle_pct = (var('customer_ai__value_tier_middle_share') * 100) | round(1) -%}
    {%- set segments = [] -%}
    {%- for p in customer_ai_predictions() -%}
        {%- set churn = p.propensity_type == 'churn' -%}
        {%- set what = 'churn risk' if churn else 'propensity' -%}
        {%- for bucket, rule in customer_ai_bucket_rules() -%}
            {%- do segments.append({
                'segment_id': p.name ~ '__bucket_' ~ bucket,
                'segment_name': p.name ~ ': ' ~ bucket ~ ' ' ~ what,
                'segment_kind': 'propensity_bucket',
                'prediction_name': p.name,
                'bucket': bucket,
                'value_tier': none,
                'segment_definition': 'Profiles whose ' ~ p.name ~ ' score is ' ~ rule ~ ' (' ~ bucket ~ ' bucket).'}) -%}
        {%- endfor -%}
        {%- do segments.append({
            'segment_id': p.name ~ ('__high_value_at_risk' if churn else '__likely_high_value_converters'),
            'segment_name': p.name ~ (': high value at risk' if churn else ': likely high-value converters'),
            'segment_kind': 'combined',
            'prediction_name': p.name,
            'bucket': 'high',
            'value_tier': 'top',
            'segment_definition': 'High bucket of ' ~ p.name ~ ' (score ' ~ customer_ai_bucket_rules()[0][1] ~ ') and top value tier (the top '
                ~ top_pct ~ ' % of purchasers by predicted lifetime value).'}) -%}
    {%- endfor -%}
    {%- for tier, name, rule in [
        ('top', 'Top value customers', 'Purchasers in the top ' ~ top_pct ~ ' % by predicted lifetime value.'),
        ('middle', 'Middle value customers', 'Purchasers in the next ' ~ middle_pct ~ ' % by predicted lifetime value.'),
        ('base', 'Base value customers', 'The other purchasers, by predicted lifetime value.')] -%}
        {%- do segments.append({'segment_id': 'value_tier__' ~ tier, 'segment_name': name, 'segment_kind': 'value_tier',
            'prediction_name': none, 'bucket': none, 'value_tier': tier, 'segment_definition': rule}) -%}
    {%- endfor -%}
    {{ return(segments) }}
{% endmacro %}


{#- The static segments as a SQL relation (for a CTE); bucket and value_tier say which members belong. -#}
{% macro customer_ai_static_segments_sql() %}
    {%- for s in customer_ai_static_segments() %}
    select
        {{ customer_ai_literal(s.segment_id) }} as segment_id,
        {{ customer_ai_literal(s.segment_name) }} as segment_name,
        {{ customer_ai_literal(s.segment_kind) }} as segment_kind,
        cast({{ customer_ai_literal(s.prediction_name) }} as {{ dbt.type_string() }}) as prediction_name,
        {{ customer_ai_literal(s.segment_definition) }} as segment_definition,
        cast({{ customer_ai_literal(s.bucket) }} as {{ dbt.type_string() }}) as bucket,
        cast({{ customer_ai_literal(s.value_tier) }} as {{ dbt.type_string() }}) as value_tier
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{% endmacro %}
