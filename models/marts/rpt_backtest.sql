/*
    Out-of-time quality of each prediction: for every backtest date, the model trained only on what was known then,
    scored on the profiles eligible then, against what happened in the outcome window after it. AUC (with a 95 %
    interval), log loss, Brier score, mean predicted probability against the actual rate, and the expected
    calibration error. A backtest that could not train (too few examples then) is listed with its status and no
    measures.
*/

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

measured as (

    {{ customer_ai_outcome_measures('scores', ['prediction_name', 'backtest_date']) }}

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

final as (

    select
        models.prediction_name,
        models.backtest_date,
        models.model_run_id,
        models.status,
        models.status_message,
        models.latest_training_snapshot,
        models.training_examples,
        cast(coalesce(measured.profiles, 0) as bigint) as profiles,
        cast(coalesce(measured.positives, 0) as bigint) as positives,
        measured.auc,
        {{ customer_ai_auc_bound('measured.auc', 'measured.positives', 'measured.negatives', 'lower') }} as auc_lower_95,
        {{ customer_ai_auc_bound('measured.auc', 'measured.positives', 'measured.negatives', 'upper') }} as auc_upper_95,
        measured.log_loss,
        measured.brier,
        measured.mean_predicted_probability,
        {{ customer_ai_ratio('measured.positives', 'measured.profiles') }} as actual_rate,
        calibration_error.expected_calibration_error
    from models
    left join measured
        on models.prediction_name = measured.prediction_name
        and models.backtest_date = measured.backtest_date
    left join calibration_error
        on models.prediction_name = calibration_error.prediction_name
        and models.backtest_date = calibration_error.backtest_date

)

select * from final
