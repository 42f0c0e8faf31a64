/*
    Customer lifetime value: one row per profile with at least one purchase. Historic value from the purchases;
    predictions from BG/NBD (probability alive, probability of a purchase in the next 90 days, expected purchases)
    and Gamma-Gamma (expected order value). probability_alive is 1 for every customer without a repeat purchase (a
    property of BG/NBD: nobody is seen dropping out before a second purchase), so it does not rank one-time buyers;
    probability_purchase_next_90d does.
    predicted_clv is the discounted value of the purchases expected over customer_ai__clv_horizon_days;
    total_clv adds what the profile has already spent.
*/

with

histories as (

    select * from {{ ref('int_customer_purchase_histories_summarized') }}

),

predictions as (

    select * from {{ ref('ml_customer_lifetime_values') }}

),

final as (

    select
        histories.profile_id,
        histories.orders as purchases,
        histories.frequency,
        histories.recency_days,
        histories.tenure_days,
        histories.first_purchase_date,
        histories.last_purchase_date,
        histories.average_order_value,
        histories.historic_value,
        predictions.probability_alive,
        predictions.probability_purchase_next_90d,
        predictions.expected_purchases_30d,
        predictions.expected_purchases_90d,
        predictions.expected_purchases_horizon,
        predictions.expected_order_value,
        predictions.order_value_source,
        predictions.predicted_clv,
        histories.historic_value + predictions.predicted_clv as total_clv,
        {{ var('customer_ai__clv_horizon_days') }} as horizon_days,
        histories.as_of_date,
        predictions.model_run_id
    from histories
    inner join predictions
        on histories.profile_id = predictions.profile_id

)

select * from final
