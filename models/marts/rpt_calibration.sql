/*
    Calibration: in ten equal-width probability bins, the mean predicted probability against the observed rate, on
    the latest model's holdout (source 'holdout') and on each backtest (source 'backtest', with its date). A
    calibrated model has the two close in every bin; rpt_model_evaluation and rpt_backtest give the weighted mean
    distance (expected calibration error).
*/

with

holdout_bins as (

    select * from {{ ref('ml_model_calibration') }}

),

backtest_scores as (

    select * from {{ ref('ml_propensity_backtest_scores') }}

),

backtest_bins as (

    select
        prediction_name,
        model_run_id,
        backtest_date,
        {{ customer_ai_probability_bin('probability') }} as probability_bin,
        count(*) as profiles,
        {{ customer_ai_exact_avg('probability') }} as mean_predicted_probability,
        {{ customer_ai_ratio('sum(label)', 'count(*)') }} as observed_rate
    from backtest_scores
    group by
        prediction_name,
        model_run_id,
        backtest_date,
        {{ customer_ai_probability_bin('probability') }}

),

unioned as (

    select
        prediction_name,
        'holdout' as source,
        cast(null as date) as backtest_date,
        model_run_id,
        probability_bin,
        profiles,
        mean_predicted_probability,
        observed_rate
    from holdout_bins

    union all

    select
        prediction_name,
        'backtest' as source,
        backtest_date,
        model_run_id,
        probability_bin,
        profiles,
        mean_predicted_probability,
        observed_rate
    from backtest_bins

),

final as (

    select
        {{ dbt.concat(['prediction_name', "'|'", 'source', "'|'", "coalesce(cast(backtest_date as " ~ dbt.type_string() ~ "), '')", "'|'", 'cast(probability_bin as ' ~ dbt.type_string() ~ ')']) }}
            as calibration_key,
        prediction_name,
        source,
        backtest_date,
        model_run_id,
        cast(probability_bin as integer) as probability_bin,
        cast(probability_bin - 1 as {{ customer_ai_type_double() }}) / 10 as bin_lower,
        cast(probability_bin as {{ customer_ai_type_double() }}) / 10 as bin_upper,
        cast(profiles as bigint) as profiles,
        cast(mean_predicted_probability as {{ customer_ai_type_double() }}) as mean_predicted_probability,
        cast(observed_rate as {{ customer_ai_type_double() }}) as observed_rate
    from unioned

)

select * from final
