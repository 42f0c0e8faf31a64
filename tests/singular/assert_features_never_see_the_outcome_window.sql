{#-
    Point in time, checked on the built tables: at every snapshot, a profile's days-since features are >= 0 and its
    tenure is no longer than the days between its first event and the snapshot, so no feature was computed from an
    event after the snapshot. (tests/python/test_point_in_time.py adds and removes later events and compares.)
-#}

with

features as (

    select * from {{ ref('int_profile_snapshots_featurized') }}

),

first_seen as (

    select profile_id, min(event_date) as first_event_date
    from {{ ref('stg_experience_events') }}
    group by profile_id

),

final as (

    select
        features.profile_id,
        features.snapshot_date,
        features.tenure_days,
        features.days_since_last_interaction
    from features
    inner join first_seen
        on features.profile_id = first_seen.profile_id
    where features.tenure_days <> {{ customer_ai_days_between('first_seen.first_event_date', 'features.snapshot_date') }}
        or features.days_since_last_interaction < 0
        or first_seen.first_event_date > features.snapshot_date

)

select * from final
