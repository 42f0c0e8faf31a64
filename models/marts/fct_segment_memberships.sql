/*
    Who is in which segment, with the profile's probability, score, predicted CLV and rank in the segment.
*/

with

memberships as (

    select * from {{ ref('int_segment_memberships_unioned') }}
    where profile_id is not null

),

final as (

    select
        segment_id,
        profile_id,
        segment_kind,
        prediction_name,
        probability,
        score,
        predicted_clv,
        cast(row_number() over (
            partition by segment_id order by rank_value desc nulls last, profile_id asc
        ) as integer) as rank_in_segment
    from memberships

)

select * from final
