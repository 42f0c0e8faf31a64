/*
    Every segment with members, with its definition in words, size, average probability and average predicted
    CLV (a segment that is empty in this build, say a bucket nobody reached, is not listed).
*/

with

memberships as (

    select * from {{ ref('int_segment_memberships_unioned') }}

),

final as (

    select
        segment_id,
        max(segment_name) as segment_name,
        max(segment_kind) as segment_kind,
        max(prediction_name) as prediction_name,
        max(segment_definition) as segment_definition,
        count(profile_id) as profiles,
        -- exact sums: the same averages to the last bit from build to build
        {{ customer_ai_exact_avg('probability') }} as average_probability,
        {{ customer_ai_exact_avg('predicted_clv', 6) }} as average_predicted_clv,
        {{ customer_ai_exact_sum('predicted_clv', 6) }} as total_predicted_clv,
        cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }}) as refreshed_at
    from memberships
    group by segment_id
    having count(profile_id) > 0

)

select * from final
