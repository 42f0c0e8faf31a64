/*
    The ten factors that most often drive the scores of each bucket: coverage is the share of the bucket's
    profiles that have the factor among their reason codes; ranked by coverage, then by mean absolute contribution.
*/

with

scores as (

    select * from {{ ref('fct_propensity_scores') }}

),

reasons as (

    select * from {{ ref('fct_reason_codes') }}

),

bucket_sizes as (

    select
        prediction_name,
        bucket,
        count(*) as bucket_profiles
    from scores
    group by prediction_name, bucket

),

factor_stats as (

    select
        scores.prediction_name,
        scores.bucket,
        reasons.factor_code,
        max(reasons.factor_label) as factor_label,
        count(distinct reasons.profile_id) as profiles_with_factor,
        {{ customer_ai_exact_avg('reasons.contribution') }} as mean_contribution,
        {{ customer_ai_exact_avg('abs(reasons.contribution)') }} as mean_absolute_contribution,
        sum(case when reasons.direction = 'raises' then 1 else 0 end) as times_raising,
        sum(case when reasons.direction = 'lowers' then 1 else 0 end) as times_lowering
    from reasons
    inner join scores
        on reasons.profile_id = scores.profile_id
        and reasons.prediction_name = scores.prediction_name
    group by scores.prediction_name, scores.bucket, reasons.factor_code

),

ranked as (

    select
        factor_stats.*,
        bucket_sizes.bucket_profiles,
        {{ customer_ai_ratio('factor_stats.profiles_with_factor', 'bucket_sizes.bucket_profiles') }} as coverage,
        cast(row_number() over (
            partition by factor_stats.prediction_name, factor_stats.bucket
            order by factor_stats.profiles_with_factor desc, factor_stats.mean_absolute_contribution desc,
                factor_stats.factor_code asc
        ) as integer) as factor_rank
    from factor_stats
    inner join bucket_sizes
        on factor_stats.prediction_name = bucket_sizes.prediction_name
        and factor_stats.bucket = bucket_sizes.bucket

),

final as (

    select
        prediction_name,
        bucket,
        factor_rank,
        factor_code,
        factor_label,
        bucket_profiles,
        profiles_with_factor,
        coverage,
        mean_contribution,
        mean_absolute_contribution,
        case when times_raising >= times_lowering then 'raises' else 'lowers' end as usual_direction
    from ranked
    where factor_rank <= 10

)

select * from final
