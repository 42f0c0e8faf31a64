/*
    The fitted lifetime-value models beside fct_customer_lifetime_value: parameters and fit diagnostics.
*/

with

fits as (

    select * from {{ ref('ml_clv_model_fits') }}

),

final as (

    select
        model_run_id,
        model_name,
        status,
        status_message,
        time_unit,
        as_of_date,
        fitted_at,
        customers,
        repeat_customers,
        excluded_customers,
        r,
        alpha,
        a,
        b,
        p,
        q,
        gamma,
        log_likelihood,
        converged,
        iterations,
        fit_seconds,
        optimizer_message
    from fits

)

select * from final
