/*
    Predicted against actual by bucket, per prediction and backtest date: the profiles a backtest put in the high,
    medium and low buckets (the live buckets' cut-offs), their mean predicted probability, the rate at which the
    predicted outcome actually happened, and the lift (that rate over the date's overall rate). A useful model has
    the high bucket's actual rate well above the low bucket's.
*/

with

scores as (

    select * from {{ ref('ml_propensity_backtest_scores') }}

),

bucketed as (

    select
        prediction_name,
        backtest_date,
        probability,
        label,
        {{ customer_ai_bucket(customer_ai_score('probability')) }} as bucket
    from scores

),

by_bucket as (

    select
        prediction_name,
        backtest_date,
        bucket,
        count(*) as profiles,
        sum(label) as positives,
        {{ customer_ai_exact_avg('probability') }} as mean_predicted_probability
    from bucketed
    group by prediction_name, backtest_date, bucket

),

overall as (

    select
        prediction_name,
        backtest_date,
        {{ customer_ai_ratio('sum(label)', 'count(*)') }} as overall_rate
    from scores
    group by prediction_name, backtest_date

),

final as (

    select
        {{ dbt.concat(['by_bucket.prediction_name', "'|'", 'cast(by_bucket.backtest_date as ' ~ dbt.type_string() ~ ')', "'|'", 'by_bucket.bucket']) }}
            as backtest_bucket_key,
        by_bucket.prediction_name,
        by_bucket.backtest_date,
        by_bucket.bucket,
        case by_bucket.bucket when 'high' then 1 when 'medium' then 2 else 3 end as bucket_order,
        cast(by_bucket.profiles as bigint) as profiles,
        cast(by_bucket.mean_predicted_probability as {{ customer_ai_type_double() }}) as mean_predicted_probability,
        {{ customer_ai_ratio('by_bucket.positives', 'by_bucket.profiles') }} as actual_rate,
        {{ customer_ai_ratio('by_bucket.positives', 'by_bucket.profiles') }} / nullif(overall.overall_rate, 0) as lift
    from by_bucket
    inner join overall
        on by_bucket.prediction_name = overall.prediction_name
        and by_bucket.backtest_date = overall.backtest_date

)

select * from final
