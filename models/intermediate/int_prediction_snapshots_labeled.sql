{#-
    One row per (prediction, profile, snapshot): is the profile eligible to be scored, and (labelled snapshots: all
    but the scoring one) did the goal happen in the outcome window. The goal grammar (customer_ai__predictions) is compiled to SQL here.

    Windows, with snapshot date d:
      - eligibility looks at events dated in (d - active_within_days, d]
      - the outcome window is (d, d + outcome_window_days]: an event on the last day counts, one on d does not
    Events matching a prediction's exclusions are ignored for its goal and eligibility. Profiles enter a
    snapshot's population once they have any event on or before it, as in int_profile_snapshots_featurized.
-#}
{%- set predictions = customer_ai_predictions() -%}
{%- set passive = var('customer_ai__passive_event_types') -%}

with

snapshots as (

    select * from {{ ref('int_snapshot_dates_scheduled') }}

),

events as (

    select * from {{ ref('stg_experience_events') }}

),

event_days as (

    -- events per profile, day and type: predictions whose conditions only test the event type (and that have
    -- no exclusions) are evaluated on this much smaller relation instead of on every event. It is the daily
    -- activity table without the rows of configured custom events, so the events are not grouped a second time.
    select
        profile_id,
        activity_date as event_date,
        activity as event_type,
        event_count as events
    from {{ ref('int_profile_activities_aggregated_to_days') }}
    {%- set custom_activities = [] %}
    {%- for ce in customer_ai_custom_events() %}{% do custom_activities.append(ce.activity) %}{% endfor %}
    {%- if custom_activities %}
    where activity not in {{ customer_ai_literal_list(custom_activities) }}
    {%- endif %}

),

first_seen as (

    select
        profile_id,
        min(event_date) as first_event_date
    from event_days
    group by profile_id

),

{% for p in predictions %}
{%- set goal_n = p.conditions | length -%}
{%- set elig_n = p.eligibility_conditions | length -%}
{%- set by_type = namespace(only=(p.exclusions | length == 0)) -%}
{%- for c in p.conditions + p.eligibility_conditions if c.get('field') is not none -%}
    {%- set by_type.only = false -%}
{%- endfor -%}

{{ p.name }}__population as (

    select
        first_seen.profile_id,
        snapshots.snapshot_date,
        snapshots.snapshot_kind,
        cast({{ dbt.dateadd('day', -1 * p.active_within_days, 'snapshots.snapshot_date') }} as date) as eligibility_start_date,
        cast({{ dbt.dateadd('day', p.outcome_window_days, 'snapshots.snapshot_date') }} as date) as outcome_end_date
    from first_seen
    inner join snapshots
        on first_seen.first_event_date <= snapshots.snapshot_date
        and snapshots.prediction_name = {{ customer_ai_literal(p.name) }}

),

{{ p.name }}__events as (

    -- by type only: one row per profile, day and type (single_type); otherwise one row per event, whose
    -- event_types lists every type it carries
    select
        profile_id,
        event_date,
        {%- if by_type.only %}
        case when {{ customer_ai_is_interaction('event_type') }} then 1 else 0 end as is_active_event
        {%- else %}
        case when {{ customer_ai_array_has_other_than('event_types', passive) }} then 1 else 0 end as is_active_event
        {%- endif %}
        {%- for c in p.conditions %},
        case when {{ customer_ai_condition_sql(c, single_type=by_type.only) }} then 1 else 0 end as goal_condition_{{ loop.index }}
        {%- endfor %}
        {%- for c in p.eligibility_conditions %},
        case when {{ customer_ai_condition_sql(c, single_type=by_type.only) }} then 1 else 0 end as eligibility_condition_{{ loop.index }}
        {%- endfor %}
    from {{ 'event_days' if by_type.only else 'events' }}
    {%- if p.exclusions %}
    -- exclusions: these events do not count for this prediction
    where not coalesce({{ customer_ai_any_condition_sql(p.exclusions) }}, false)
    {%- endif %}

),

{{ p.name }}__outcomes as (

    select
        population.profile_id,
        population.snapshot_date
        {%- for c in p.conditions %},
        max(goal_events.goal_condition_{{ loop.index }}) as goal_condition_{{ loop.index }}_met
        {%- endfor %}
    from {{ p.name }}__population as population
    inner join {{ p.name }}__events as goal_events
        on population.profile_id = goal_events.profile_id
        and goal_events.event_date > population.snapshot_date
        and goal_events.event_date <= population.outcome_end_date
    where population.snapshot_kind <> 'scoring'
        and ({% for c in p.conditions %}goal_events.goal_condition_{{ loop.index }} = 1{{ ' or ' if not loop.last }}{% endfor %})
    group by population.profile_id, population.snapshot_date

),

{{ p.name }}__eligibility as (

    select
        population.profile_id,
        population.snapshot_date,
        max(recent_events.is_active_event) as was_active
        {%- for c in p.eligibility_conditions %},
        max(recent_events.eligibility_condition_{{ loop.index }}) as eligibility_condition_{{ loop.index }}_met
        {%- endfor %}
    from {{ p.name }}__population as population
    inner join {{ p.name }}__events as recent_events
        on population.profile_id = recent_events.profile_id
        and recent_events.event_date > population.eligibility_start_date
        and recent_events.event_date <= population.snapshot_date
    group by population.profile_id, population.snapshot_date

),

{{ p.name }}__labeled as (

    select
        {{ customer_ai_literal(p.name) }} as prediction_name,
        population.profile_id,
        population.snapshot_date,
        population.snapshot_kind,
        (
            coalesce(eligibility.was_active, 0) = 1
            {%- if elig_n > 0 %}
            and (
                {%- for c in p.eligibility_conditions %}
                coalesce(eligibility.eligibility_condition_{{ loop.index }}_met, 0) = 1
                {{- (' and ' if p.eligibility_match == 'all' else ' or ') if not loop.last }}
                {%- endfor %}
            )
            {%- endif %}
        ) as is_eligible,
        case when population.snapshot_kind <> 'scoring' then
            {%- for c in p.conditions %}
            coalesce(outcomes.goal_condition_{{ loop.index }}_met, 0) = 1
            {{- (' and ' if p.match == 'all' else ' or ') if not loop.last }}
            {%- endfor %}
        end as goal_met,
        population.outcome_end_date
    from {{ p.name }}__population as population
    left join {{ p.name }}__outcomes as outcomes
        on population.profile_id = outcomes.profile_id
        and population.snapshot_date = outcomes.snapshot_date
    left join {{ p.name }}__eligibility as eligibility
        on population.profile_id = eligibility.profile_id
        and population.snapshot_date = eligibility.snapshot_date

),

{% endfor %}

unioned as (

    {%- for p in predictions %}
    select
        labeled.*,
        {{ customer_ai_literal(p.propensity_type) }} as propensity_type,
        case
            when labeled.goal_met is null then null
            {%- if p.will == 'occur' %}
            when labeled.goal_met then 1
            {%- else %}
            when not labeled.goal_met then 1
            {%- endif %}
            else 0
        end as label
    from {{ p.name }}__labeled as labeled
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

final as (

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
        cast(label as integer) as label,
        case when snapshot_kind <> 'scoring' then outcome_end_date end as outcome_end_date
    from unioned

)

select * from final
