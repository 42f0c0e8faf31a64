/*
    What characterises each reason-code segment, for BI: per segment and factor, the mean contribution (log-odds)
    and the mean feature value among the segment's members against the rest of its bucket. The naming factors
    (is_naming_factor) are the ones in the segment's name; a test checks on every build that each is at least 1.5
    times as strong among the members as among the rest.
*/

with

characteristics as (

    select * from {{ ref('ml_reason_segment_characteristics') }}

),

final as (

    select
        {{ dbt.concat(['segment_id', "'|'", 'factor_code']) }} as segment_factor_key,
        segment_id,
        prediction_name,
        bucket,
        factor_code,
        factor_label,
        is_naming_factor,
        segment_profiles,
        rest_profiles,
        mean_contribution,
        rest_mean_contribution,
        mean_contribution - coalesce(rest_mean_contribution, 0) as contribution_difference,
        mean_feature_value,
        rest_mean_feature_value,
        cast(row_number() over (
            partition by segment_id
            order by mean_contribution - coalesce(rest_mean_contribution, 0) desc, factor_code
        ) as integer) as distinction_rank
    from characteristics

)

select * from final
