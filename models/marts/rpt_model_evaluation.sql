{#- Every training run of every prediction with its holdout quality (the registry without the model itself). -#}

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

final as (

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
        trees,
        training_seconds,
        case
            when status in ('insufficient_data', 'leakage_suspected') then 'not trained'
            when auc >= {{ var('customer_ai__poor_auc_threshold') }} then 'good'
            else 'poor'
        end as quality
    from ranked

)

select * from final
