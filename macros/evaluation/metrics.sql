{#-
    Model quality measures written once in SQL, so that the backtests, the score history and the holdout are
    measured alike, in the warehouse, on every engine.
-#}

{#- AUC from the columns a per-group aggregate produces: the sum of the (tie-averaged) ranks of the positives,
    positives and negatives (Mann-Whitney U / (P * N)); null when a class is missing. -#}
{% macro customer_ai_auc_from_ranks(positive_rank_sum, positives, negatives) -%}
    {%- set double = customer_ai_type_double() -%}
    case when {{ positives }} > 0 and {{ negatives }} > 0 then
        (cast({{ positive_rank_sum }} as {{ double }})
            - cast({{ positives }} as {{ double }}) * (cast({{ positives }} as {{ double }}) + 1) / 2)
        / (cast({{ positives }} as {{ double }}) * cast({{ negatives }} as {{ double }}))
    end
{%- endmacro %}


{#- The tie-averaged rank of `expr` within a partition (1 = smallest), as a window expression. -#}
{% macro customer_ai_average_rank(expr, partition_by) -%}
    (cast(rank() over (partition by {{ partition_by }} order by {{ expr }}) as {{ customer_ai_type_double() }})
        + (cast(count(*) over (partition by {{ partition_by }}, {{ expr }}) as {{ customer_ai_type_double() }}) - 1) / 2)
{%- endmacro %}


{#- A 95 % confidence bound of an AUC (Hanley and McNeil 1982): AUC -/+ 1.96 standard errors, within [0, 1].
    side: 'lower' or 'upper'. -#}
{% macro customer_ai_auc_bound(auc, positives, negatives, side) -%}
    {%- set double = customer_ai_type_double() -%}
    {%- set a = '(' ~ auc ~ ')' -%}
    {%- set p = 'cast(' ~ positives ~ ' as ' ~ double ~ ')' -%}
    {%- set n = 'cast(' ~ negatives ~ ' as ' ~ double ~ ')' -%}
    {%- set variance -%}
        ({{ a }} * (1 - {{ a }})
            + ({{ p }} - 1) * ({{ a }} / (2 - {{ a }}) - {{ a }} * {{ a }})
            + ({{ n }} - 1) * (2 * {{ a }} * {{ a }} / (1 + {{ a }}) - {{ a }} * {{ a }}))
        / nullif({{ p }} * {{ n }}, 0)
    {%- endset -%}
    case when {{ a }} is not null and {{ positives }} > 0 and {{ negatives }} > 0 then
        {%- if side == 'lower' %}
        greatest(0.0, {{ a }} - 1.96 * sqrt(greatest({{ variance }}, 0.0)))
        {%- else %}
        least(1.0, {{ a }} + 1.96 * sqrt(greatest({{ variance }}, 0.0)))
        {%- endif %}
    end
{%- endmacro %}


{#- The log loss term of one prediction, probability clipped to [1e-9, 1 - 1e-9] as in the Python evaluation. -#}
{% macro customer_ai_log_loss_term(probability, label) -%}
    -1 * case when {{ label }} = 1
        then ln(greatest({{ probability }}, 1e-9))
        else ln(greatest(1 - {{ probability }}, 1e-9))
    end
{%- endmacro %}


{#- The equal-width probability bin (1..bins) of a probability; 1 falls in the last bin. -#}
{% macro customer_ai_probability_bin(probability, bins=10) -%}
    cast(least(floor({{ probability }} * {{ bins }}), {{ bins - 1 }}) + 1 as integer)
{%- endmacro %}


{#- How well probabilities predicted the labels, per group: a select over `relation` (columns probability, label)
    giving profiles, positives, negatives, AUC (tie-averaged ranks), mean predicted probability, log loss and Brier
    score, plus any `extra` aggregates (SQL expressions with aliases). rpt_backtest and rpt_score_history_outcomes
    measure with it, so the two are measured alike. -#}
{% macro customer_ai_outcome_measures(relation, group_by, extra=[]) %}
    select
        measured.*,
        {{ customer_ai_auc_from_ranks('measured.positive_rank_sum', 'measured.positives', 'measured.negatives') }} as auc
    from (
        select
            {{ group_by | join(', ') }},
            count(*) as profiles,
            sum(label) as positives,
            count(*) - sum(label) as negatives,
            sum(case when label = 1 then probability_rank else 0 end) as positive_rank_sum,
            {{ customer_ai_exact_avg('probability') }} as mean_predicted_probability,
            {{ customer_ai_exact_avg(customer_ai_log_loss_term('probability', 'label')) }} as log_loss,
            {{ customer_ai_exact_avg('(probability - label) * (probability - label)') }} as brier
            {%- for expression in extra %},
            {{ expression }}
            {%- endfor %}
        from (
            select
                *,
                {{ customer_ai_average_rank('probability', group_by | join(', ')) }} as probability_rank
            from {{ relation }}
        ) as ranked
        group by {{ group_by | join(', ') }}
    ) as measured
{% endmacro %}
