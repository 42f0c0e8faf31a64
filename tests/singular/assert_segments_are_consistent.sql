{#-
    Segment rules, checked on every build:
      1. every scored profile is in exactly one bucket segment per prediction;
      2. segment sizes in dim_segments equal the membership counts;
      3. reason-code segments only hold profiles of the bucket their id names (<prediction>__<bucket>__reasons__...),
         a bucket that gets reason segments (customer_ai__reason_segment_buckets), and a profile is in at most one
         reason segment per prediction.
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
        memberships.prediction_name,
        scores.bucket,
        memberships.prediction_name || '__' || scores.bucket || '__reasons__' as segment_prefix,
        count(*) over (partition by memberships.prediction_name, memberships.profile_id) as reason_segments
    from memberships
    left join scores
        on memberships.profile_id = scores.profile_id
        and memberships.prediction_name = scores.prediction_name
    where memberships.segment_kind = 'reason_code'

),

wrong_reason as (

    select
        'reason-code segment member outside the bucket the segment divides, or in two reason segments' as problem,
        reason_members.segment_id,
        reason_members.profile_id
    from reason_members
    where coalesce(reason_members.bucket, '') not in {{ customer_ai_literal_list(var('customer_ai__reason_segment_buckets')) }}
        or substr(reason_members.segment_id, 1, length(reason_members.segment_prefix)) <> reason_members.segment_prefix
        or reason_members.reason_segments > 1

),

final as (

    select * from not_in_one_bucket
    union all
    select * from size_mismatch
    union all
    select * from wrong_reason

)

select * from final
