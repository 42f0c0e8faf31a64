/*
    Lift and cumulative gains by decile (1 = highest scores) on the holdout of each prediction's latest model.
*/

with

lift as (

    select * from {{ ref('ml_model_lift_gains') }}

),

final as (

    select
        prediction_name,
        decile,
        model_run_id,
        profiles,
        positives,
        positive_rate,
        mean_probability,
        lift,
        cumulative_gain
    from lift

)

select * from final
