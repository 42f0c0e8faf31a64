{#- Every score is explained: each (profile, prediction) in fct_propensity_scores has at least one reason code,
    and no reason code belongs to a profile that was not scored. -#}

with

scores as (

    select profile_id, prediction_name from {{ ref('fct_propensity_scores') }}

),

explained as (

    select distinct profile_id, prediction_name from {{ ref('fct_reason_codes') }}

),

final as (

    select scores.profile_id, scores.prediction_name, 'scored but not explained' as problem
    from scores
    left join explained
        on scores.profile_id = explained.profile_id
        and scores.prediction_name = explained.prediction_name
    where explained.profile_id is null

    union all

    select explained.profile_id, explained.prediction_name, 'explained but not scored' as problem
    from explained
    left join scores
        on scores.profile_id = explained.profile_id
        and scores.prediction_name = explained.prediction_name
    where scores.profile_id is null

)

select * from final
