{#-
    Segment rules, checked on every build:
      1. every scored profile is in exactly one bucket segment per prediction;
      2. segment sizes in dim_segments equal the membership counts;
      3. reason-code segments only hold high-bucket profiles whose leading reason is the segment's (or, for
         "other reasons", a reason without a segment of its own).
-#}

with

scores as (

    select * from {{ ref('fct_propensity_scores') }}

),

memberships as (

    select * from {{ ref('fct_segment_memberships') }}

),

segments as (

    select * from {{ ref('dim_segments') }}

),

leading_reasons as (

    select * from {{ ref('fct_reason_codes') }}
    where factor_rank = 1

),

bucket_counts as (

    select
        scores.profile_id,
        scores.prediction_name,
        count(memberships.segment_id) as bucket_segments
    from scores
    left join memberships
        on scores.profile_id = memberships.profile_id
        and scores.prediction_name = memberships.prediction_name
        and memberships.segment_kind = 'propensity_bucket'
    group by scores.profile_id, scores.prediction_name

),

not_in_one_bucket as (

    select
        'scored profile in ' || cast(bucket_segments as {{ dbt.type_string() }}) || ' bucket segments' as problem,
        prediction_name as segment_id,
        profile_id
    from bucket_counts
    where bucket_segments <> 1

),

member_counts as (

    select segment_id, count(*) as members
    from memberships
    group by segment_id

),

size_mismatch as (

    select
        'dim_segments size differs from the memberships' as problem,
        segments.segment_id,
        cast(null as {{ dbt.type_string() }}) as profile_id
    from segments
    left join member_counts
        on segments.segment_id = member_counts.segment_id
    where segments.profiles <> coalesce(member_counts.members, 0)

),

reason_members as (

    select
        memberships.segment_id,
        memberships.profile_id,
        scores.bucket,
        leading_reasons.factor_code,
        memberships.prediction_name
    from memberships
    left join scores
        on memberships.profile_id = scores.profile_id
        and memberships.prediction_name = scores.prediction_name
    left join leading_reasons
        on memberships.profile_id = leading_reasons.profile_id
        and memberships.prediction_name = leading_reasons.prediction_name
    where memberships.segment_kind = 'reason_code'

),

wrong_reason as (

    select
        'reason-code segment member that is not high-bucket with that leading reason' as problem,
        reason_members.segment_id,
        reason_members.profile_id
    from reason_members
    where coalesce(reason_members.bucket, '') <> 'high'
        or (
            reason_members.segment_id <> reason_members.prediction_name || '__high__reason__other'
            and reason_members.segment_id <> reason_members.prediction_name || '__high__reason__' || reason_members.factor_code
        )
        or (
            reason_members.segment_id = reason_members.prediction_name || '__high__reason__other'
            and exists (
                select 1 from segments
                where segments.segment_id = reason_members.prediction_name || '__high__reason__' || reason_members.factor_code
            )
        )

),

final as (

    select * from not_in_one_bucket
    union all
    select * from size_mismatch
    union all
    select * from wrong_reason

)

select * from final
