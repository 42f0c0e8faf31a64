/*
    Value tiers of the purchasers, by predicted CLV (historic value where no CLV could be predicted): "top" is
    the customer_ai__value_tier_top_share with the highest value, "middle" the next
    customer_ai__value_tier_middle_share, "base" the rest.
*/
{%- set top = var('customer_ai__value_tier_top_share') -%}
{%- set middle = var('customer_ai__value_tier_middle_share') -%}

with

values_ as (

    select
        profile_id,
        predicted_clv,
        historic_value,
        coalesce(predicted_clv, historic_value) as value_basis
    from {{ ref('fct_customer_lifetime_value') }}

),

ranked as (

    select
        *,
        -- share of purchasers with at least this value (the best one gets 1 / n)
        cume_dist() over (order by value_basis desc) as value_rank_share
    from values_

),

final as (

    select
        profile_id,
        predicted_clv,
        historic_value,
        value_basis,
        value_rank_share,
        case
            when value_rank_share <= {{ top }} then 'top'
            when value_rank_share <= {{ top + middle }} then 'middle'
            else 'base'
        end as value_tier
    from ranked

)

select * from final
