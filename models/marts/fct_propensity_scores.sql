/*
    One row per (profile, prediction): the calibrated probability, a 0-100 score, the percentile among the
    prediction's scored profiles, and the bucket: high (score >= 75), medium (25-74), low (< 25). For churn
    predictions the probability is the probability of churning, so high means likely to churn.
*/

with

scores as (

    select * from {{ ref('ml_propensity_scores') }}

),

predictions as (

    {%- for p in customer_ai_predictions() %}
    select {{ customer_ai_literal(p.name) }} as prediction_name, {{ customer_ai_literal(p.propensity_type) }} as propensity_type
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

scored as (

    select
        scores.profile_id,
        scores.prediction_name,
        predictions.propensity_type,
        scores.probability,
        {{ customer_ai_score('scores.probability') }} as score,
        -- ties share a percentile; 1 = lowest probabilities, 100 = highest
        cast(greatest(1, ceil(100 * cume_dist() over (
            partition by scores.prediction_name order by scores.probability
        ))) as integer) as percentile,
        scores.model_run_id,
        scores.as_of_date,
        scores.scored_at
    from scores
    inner join predictions
        on scores.prediction_name = predictions.prediction_name

),

final as (

    select
        profile_id,
        prediction_name,
        propensity_type,
        probability,
        score,
        percentile,
        {{ customer_ai_bucket('score') }} as bucket,
        model_run_id,
        as_of_date,
        scored_at
    from scored

)

select * from final
