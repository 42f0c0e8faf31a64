/*
    The influential factors behind each score: top k per (profile, prediction), largest contribution first.
*/

with

reasons as (

    select * from {{ ref('ml_reason_codes') }}

),

final as (

    select
        profile_id,
        prediction_name,
        factor_rank,
        factor_code,
        factor_label,
        factor_value,
        factor_value_text,
        contribution,
        direction,
        importance,
        model_run_id
    from reasons

)

select * from final
