{#-
    Scores and buckets. A score is a probability on a 0-100 scale; its bucket is high (75 and above), medium (25 to
    74) or low (below 25). The cut-offs are written here and nowhere else: the SQL rule, the words in segment
    definitions and the segment ids all come from here.
-#}
{% macro customer_ai_bucket_cutoffs() %}
    {{ return({'high': 75, 'medium': 25}) }}
{% endmacro %}


{#- Each bucket with its rule in words, highest first: [(bucket, 'score 75 or above'), ...]. -#}
{% macro customer_ai_bucket_rules() %}
    {%- set cut = customer_ai_bucket_cutoffs() -%}
    {{ return([
        ('high', cut.high ~ ' or above'),
        ('medium', cut.medium ~ ' to ' ~ (cut.high - 1)),
        ('low', 'below ' ~ cut.medium),
    ]) }}
{% endmacro %}


{#- The bucket of a 0-100 score. -#}
{% macro customer_ai_bucket(score) -%}
    {%- set cut = customer_ai_bucket_cutoffs() -%}
    case
        when {{ score }} >= {{ cut.high }} then 'high'
        when {{ score }} >= {{ cut.medium }} then 'medium'
        else 'low'
    end
{%- endmacro %}


{#- The 0-100 score of a probability. -#}
{% macro customer_ai_score(probability) -%}
    cast(round({{ probability }} * 100) as integer)
{%- endmacro %}
