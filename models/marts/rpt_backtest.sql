{#-
    Out-of-time quality of each prediction: for every backtest date, the model trained only on what was known then,
    scored on the profiles eligible then, against what happened in the outcome window after it. AUC (with a 95 %
    interval), log loss, Brier score, mean predicted probability against the actual rate, and the expected
    calibration error. A backtest that could not train (too few examples then) is listed with its status and no
    measures.
-#}

with

models as (

    select * from {{ ref('ml_propensity_backtests_trained') }}

),

scores as (

    select * from {{ ref('ml_propensity_backtest_scores') }}

),

calibration as (

    select * from {{ ref('rpt_calibration') }}
    where source = 'backtest'

),

ranked as (

    select
        prediction_name,
        backtest_date,
        probability,
        label,
        {{ customer_ai_average_rank('probability', 'prediction_name, backtest_date') }} as probability_rank
    from scores

),

measured as (

    select
        prediction_name,
        backtest_date,
        count(*) as profiles,
        sum(label) as positives,
        count(*) - sum(label) as negatives,
        sum(case when label = 1 then probability_rank else 0 end) as positive_rank_sum,
        {{ customer_ai_exact_avg('probability') }} as mean_predicted_probability,
        {{ customer_ai_exact_avg(customer_ai_log_loss_term('probability', 'label')) }} as log_loss,
        {{ customer_ai_exact_avg('(probability - label) * (probability - label)') }} as brier
    from ranked
    group by prediction_name, backtest_date

),

calibration_error as (

    select
        prediction_name,
        backtest_date,
        {{ customer_ai_exact_sum('profiles * abs(mean_predicted_probability - observed_rate)') }}
            / cast(sum(profiles) as {{ customer_ai_type_double() }}) as expected_calibration_error
    from calibration
    group by prediction_name, backtest_date

),

with_auc as (

    select
        *,
        {{ customer_ai_auc_from_ranks('positive_rank_sum', 'positives', 'negatives') }} as auc
    from measured

),

final as (

    select
        models.prediction_name,
        models.backtest_date,
        models.model_run_id,
        models.status,
        models.status_message,
        models.latest_training_snapshot,
        models.training_examples,
        cast(coalesce(with_auc.profiles, 0) as bigint) as profiles,
        cast(coalesce(with_auc.positives, 0) as bigint) as positives,
        with_auc.auc,
        {{ customer_ai_auc_bound('with_auc.auc', 'with_auc.positives', 'with_auc.negatives', 'lower') }} as auc_lower_95,
        {{ customer_ai_auc_bound('with_auc.auc', 'with_auc.positives', 'with_auc.negatives', 'upper') }} as auc_upper_95,
        with_auc.log_loss,
        with_auc.brier,
        with_auc.mean_predicted_probability,
        {{ customer_ai_ratio('with_auc.positives', 'with_auc.profiles') }} as actual_rate,
        calibration_error.expected_calibration_error
    from models
    left join with_auc
        on models.prediction_name = with_auc.prediction_name
        and models.backtest_date = with_auc.backtest_date
    left join calibration_error
        on models.prediction_name = calibration_error.prediction_name
        and models.backtest_date = calibration_error.backtest_date

)

select * from final
