{#-
    The snapshot dates of every prediction. Training snapshots lie a full outcome window (or more) before the
    as-of date, so their labels are fully observed: snapshot i = as_of - outcome_window - i * spacing.
    The scoring snapshot is the as-of date itself (int_as_of_dates_resolved: customer_ai__as_of_date, or the last
    day with a normal share of the event volume).
    Training snapshots before the first event are dropped.
-#}
{%- set spacing = var('customer_ai__snapshot_spacing_days', 30) -%}

with

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

event_range as (

    select
        as_of.as_of_date,
        min(events.event_date) as first_event_date
    from {{ ref('stg_experience_events') }} as events
    cross join as_of
    group by as_of.as_of_date

),

schedule as (

    {%- for p in customer_ai_predictions() %}
    {%- set outer_loop = loop %}
    {%- for i in range(var('customer_ai__training_snapshots', 3)) %}
    select
        {{ customer_ai_literal(p.name) }} as prediction_name,
        'training' as snapshot_kind,
        {{ i + 1 }} as snapshot_number,
        {{ p.outcome_window_days }} as outcome_window_days,
        {{ dbt.dateadd('day', -1 * (p.outcome_window_days + i * spacing), 'as_of_date') }} as snapshot_date
    from event_range
    union all
    {%- endfor %}
    select
        {{ customer_ai_literal(p.name) }} as prediction_name,
        'scoring' as snapshot_kind,
        0 as snapshot_number,
        {{ p.outcome_window_days }} as outcome_window_days,
        as_of_date as snapshot_date
    from event_range
    {{ 'union all' if not outer_loop.last }}
    {%- endfor %}

),

final as (

    select
        schedule.prediction_name,
        schedule.snapshot_kind,
        schedule.snapshot_number,
        cast(schedule.snapshot_date as date) as snapshot_date,
        schedule.outcome_window_days,
        cast(event_range.as_of_date as date) as as_of_date
    from schedule
    cross join event_range
    where schedule.snapshot_date >= event_range.first_event_date

)

select * from final
