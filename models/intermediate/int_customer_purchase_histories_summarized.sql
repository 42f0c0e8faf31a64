/*
    The purchase history of every profile with at least one purchase on or before the as-of date: what the
    lifetime-value models need. Purchases are commerce.purchases events with revenue; an order that arrives as
    several events with the same purchase id counts once. As in the BG/NBD literature, a repeat purchase is a
    purchase day after the first one (several orders on one day are one transaction with their summed value),
    recency is the days from the first to the last purchase day, and tenure the days from the first purchase day
    to the as-of date.
*/

with

as_of as (

    select max(as_of_date) as as_of_date from {{ ref('int_snapshot_dates_scheduled') }}

),

purchase_events as (

    select
        events.profile_id,
        coalesce(events.purchase_id, events.event_id) as order_id,
        events.event_date,
        events.revenue
    from {{ ref('stg_experience_events') }} as events
    cross join as_of
    where {{ customer_ai_array_contains('events.event_types', "'commerce.purchases'") }}
        and events.revenue is not null
        and events.event_date <= as_of.as_of_date

),

orders as (

    -- one row per order: a purchase id seen on several events is one order (its first date, its largest total)
    select
        profile_id,
        order_id,
        min(event_date) as order_date,
        max(revenue) as order_value
    from purchase_events
    group by profile_id, order_id

),

purchase_days as (

    select
        profile_id,
        order_date,
        count(*) as orders,
        round(sum(order_value), 2) as day_value  -- cents: exact across runs, whatever the summation order
    from orders
    group by profile_id, order_date

),

first_days as (

    select
        profile_id,
        min(order_date) as first_purchase_date
    from purchase_days
    group by profile_id

),

summary as (

    select
        purchase_days.profile_id,
        first_days.first_purchase_date,
        max(purchase_days.order_date) as last_purchase_date,
        cast(sum(purchase_days.orders) as bigint) as orders,  -- a sum of integers: HUGEINT on DuckDB otherwise
        count(*) as purchase_days,
        round(sum(purchase_days.day_value), 2) as historic_value,
        round(sum(case when purchase_days.order_date > first_days.first_purchase_date then purchase_days.day_value end), 2)
            as repeat_value
    from purchase_days
    inner join first_days
        on purchase_days.profile_id = first_days.profile_id
    group by purchase_days.profile_id, first_days.first_purchase_date

),

final as (

    select
        summary.profile_id,
        summary.first_purchase_date,
        summary.last_purchase_date,
        as_of.as_of_date,
        summary.orders,
        summary.purchase_days,
        summary.purchase_days - 1 as frequency,
        {{ customer_ai_days_between('summary.first_purchase_date', 'summary.last_purchase_date') }} as recency_days,
        {{ customer_ai_days_between('summary.first_purchase_date', 'as_of.as_of_date') }} as tenure_days,
        summary.historic_value,
        summary.historic_value / summary.orders as average_order_value,
        case
            when summary.purchase_days > 1 then summary.repeat_value / (summary.purchase_days - 1)
        end as repeat_order_value
    from summary
    cross join as_of

)

select * from final
