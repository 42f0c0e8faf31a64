/*
    One row per (prediction, profile, snapshot): is the profile eligible to be scored, and (labelled snapshots: all
    but the scoring one) did the goal happen in the outcome window. The conditions were tested on the events in
    int_prediction_activity_flagged; here they are counted, for every prediction at once.

    Windows, with snapshot date d:
      - eligibility looks at activity in (d - active_within_days, d]
      - the outcome window is (d, d + outcome_window_days]: an event on the last day counts, one on d does not
    match: any needs one condition met, match: all every condition (possibly on different days and events).
    Profiles enter a snapshot's population once they have any event on or before it, as in
    int_profile_snapshots_featurized.

    Incremental on DuckDB: a run counts only the snapshot dates whose inputs changed (the new scoring date, the
    dates whose outcome window or history holds a late event) and keeps the labels whose windows closed before:
    customer_ai_label_snapshot_inputs in macros/features/snapshot_incremental.sql.
*/
{{ config(**customer_ai_per_snapshot_incremental_config()) }}
{%- set most_goal_conditions = customer_ai_predictions() | map(attribute='conditions') | map('length') | max -%}
{%- set most_eligibility_conditions = customer_ai_predictions() | map(attribute='eligibility_conditions') | map('length') | max %}
{%- set kept = customer_ai_kept_dates_of(customer_ai_label_snapshot_inputs(), ['prediction_name']) %}

with

predictions as (

    {{ customer_ai_predictions_sql() }}

),

snapshots as (

    {{ customer_ai_kept_snapshots_record(kept) }}
    select * from {{ ref('int_snapshot_dates_scheduled') }}
    {{ customer_ai_where_not_kept(kept) }}

),

daily_activity as (

    select * from {{ ref('int_profile_activities_aggregated_to_days') }}

),

flags as (

    select * from {{ ref('int_prediction_activity_flagged') }}

),

first_seen as (

    select
        profile_id,
        min(activity_date) as first_event_date
    from daily_activity
    group by profile_id

),

snapshot_windows as (

    -- each snapshot's eligibility window (eligibility start, snapshot] and outcome window (snapshot, outcome end]
    select
        snapshots.prediction_name,
        snapshots.snapshot_date,
        snapshots.snapshot_kind,
        cast({{ dbt.dateadd('day', '-1 * predictions.active_within_days', 'snapshots.snapshot_date') }} as date)
            as eligibility_start_date,
        cast({{ dbt.dateadd('day', 'predictions.outcome_window_days', 'snapshots.snapshot_date') }} as date)
            as outcome_end_date
    from snapshots
    inner join predictions
        on snapshots.prediction_name = predictions.prediction_name

),

population as (

    select
        snapshot_windows.prediction_name,
        first_seen.profile_id,
        snapshot_windows.snapshot_date,
        snapshot_windows.snapshot_kind,
        snapshot_windows.outcome_end_date
    from first_seen
    inner join snapshot_windows
        on first_seen.first_event_date <= snapshot_windows.snapshot_date

),

conditions_met as (

    -- one pass over the flags of (eligibility start, outcome end]: the days before the snapshot say whether the
    -- profile was active and eligible, the days after it whether the goal happened. Each flag meets the few
    -- snapshot windows it falls in (a join with the table of snapshots, not with the profiles' population: that
    -- matched every flag of a profile with every snapshot of it before the dates were compared); a profile not yet
    -- in a snapshot's population has no flag before it, and the labels below keep the population's rows only.
    -- Conditions are counted with one "was it met" column per condition number (the most any prediction has), not
    -- count(distinct): plain maxima keep the aggregate's state small at millions of profile-snapshots
    select
        flags.prediction_name,
        flags.profile_id,
        snapshot_windows.snapshot_date,
        max(case
            when flags.condition_role = 'active' and flags.activity_date <= snapshot_windows.snapshot_date then 1 else 0
        end) as was_active,
        0
        {%- for number in range(1, most_eligibility_conditions + 1) %}
        + max(case
            when flags.condition_role = 'eligibility' and flags.condition_number = {{ number }}
                and flags.activity_date <= snapshot_windows.snapshot_date
                then 1 else 0
        end)
        {%- endfor %} as eligibility_conditions_met,
        0
        {%- for number in range(1, most_goal_conditions + 1) %}
        + max(case
            when flags.condition_role = 'goal' and flags.condition_number = {{ number }}
                and flags.activity_date > snapshot_windows.snapshot_date and snapshot_windows.snapshot_kind <> 'scoring'
                then 1 else 0
        end)
        {%- endfor %} as goal_conditions_met
    from flags
    inner join snapshot_windows
        on flags.prediction_name = snapshot_windows.prediction_name
        and flags.activity_date > snapshot_windows.eligibility_start_date
        and flags.activity_date <= snapshot_windows.outcome_end_date
    group by flags.prediction_name, flags.profile_id, snapshot_windows.snapshot_date

),

labeled as (

    select
        population.prediction_name,
        predictions.propensity_type,
        predictions.goal_will,
        population.profile_id,
        population.snapshot_date,
        population.snapshot_kind,
        population.outcome_end_date,
        coalesce(conditions_met.was_active, 0) = 1
        and (
            predictions.eligibility_conditions = 0
            or (predictions.eligibility_match = 'any' and conditions_met.eligibility_conditions_met >= 1)
            or (predictions.eligibility_match = 'all'
                and conditions_met.eligibility_conditions_met = predictions.eligibility_conditions)
        ) as is_eligible,
        case
            when population.snapshot_kind <> 'scoring'
                then (predictions.goal_match = 'any' and coalesce(conditions_met.goal_conditions_met, 0) >= 1)
                or (predictions.goal_match = 'all'
                    and coalesce(conditions_met.goal_conditions_met, 0) = predictions.goal_conditions)
        end as goal_met
    from population
    inner join predictions
        on population.prediction_name = predictions.prediction_name
    left join conditions_met
        on population.prediction_name = conditions_met.prediction_name
        and population.profile_id = conditions_met.profile_id
        and population.snapshot_date = conditions_met.snapshot_date

),

counted as (

    select
        -- readable and cheaper than a hash over millions of rows
        {{ dbt.concat(['prediction_name', "'|'", 'profile_id', "'|'", 'cast(snapshot_date as ' ~ dbt.type_string() ~ ')']) }}
            as prediction_snapshot_key,
        prediction_name,
        propensity_type,
        profile_id,
        snapshot_date,
        snapshot_kind,
        is_eligible,
        goal_met,
        cast(case
            when goal_met is null then null
            when goal_met = (goal_will = 'occur') then 1
            else 0
        end as integer) as label,
        case when snapshot_kind <> 'scoring' then outcome_end_date end as outcome_end_date
    from labeled

),

final as (

    -- each row records what it was counted from: the next run keeps it while that stays the same
    {{ customer_ai_with_fingerprint_of('counted', customer_ai_label_snapshot_inputs(kept), ['prediction_name']) }}

)

select * from final
