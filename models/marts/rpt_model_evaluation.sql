/*
    Every training run of every prediction with its holdout quality (the registry without the model itself), an
    AUC interval, and a quality rating with its reason:
      - not trained: insufficient data or suspected leakage (the status message says which);
      - unreliable: fewer than customer_ai__min_holdout_examples positive or negative holdout examples, too few
        to rate the AUC (its interval says how wide the doubt is);
      - good / poor: holdout AUC at or above / below customer_ai__poor_auc_threshold.
*/
{%- set min_holdout = var('customer_ai__min_holdout_examples') -%}
{%- set gate = var('customer_ai__poor_auc_threshold') -%}

with

runs as (

    select * from {{ ref('ml_propensity_models_trained') }}

),

ranked as (

    select
        *,
        row_number() over (partition by prediction_name order by trained_at desc, model_run_id desc) as recency_rank
    from runs

),

measured as (

    select
        model_run_id,
        prediction_name,
        propensity_type,
        status,
        status_message,
        trained_at,
        recency_rank = 1 as is_latest,
        latest_training_snapshot,
        auc,
        log_loss,
        log_loss_uncalibrated,
        brier,
        positive_rate,
        training_examples,
        training_positives,
        training_negatives,
        holdout_rows,
        holdout_positives,
        holdout_rows - holdout_positives as holdout_negatives,
        {{ customer_ai_auc_bound('auc', 'holdout_positives', 'holdout_rows - holdout_positives', 'lower') }} as auc_lower_95,
        {{ customer_ai_auc_bound('auc', 'holdout_positives', 'holdout_rows - holdout_positives', 'upper') }} as auc_upper_95,
        expected_calibration_error,
        trees,
        training_seconds
    from ranked

),

rated as (

    select
        *,
        case
            when status in ('insufficient_data', 'leakage_suspected') then 'not trained'
            when holdout_positives < {{ min_holdout }} or holdout_negatives < {{ min_holdout }} then 'unreliable'
            when auc >= {{ gate }} then 'good'
            else 'poor'
        end as quality
    from measured

),

final as (

    select
        *,
        case quality
            when 'not trained' then status_message
            when 'unreliable' then
                'holdout has ' || cast(holdout_positives as {{ dbt.type_string() }}) || ' positive and '
                || cast(holdout_negatives as {{ dbt.type_string() }}) || ' negative examples; at least {{ min_holdout }} of each '
                || 'are needed to rate the model (customer_ai__min_holdout_examples)'
            when 'good' then 'holdout AUC at or above {{ gate }} (customer_ai__poor_auc_threshold)'
            else 'holdout AUC below {{ gate }} (customer_ai__poor_auc_threshold): scores should not be trusted'
        end as quality_message
    from rated

)

select * from final
