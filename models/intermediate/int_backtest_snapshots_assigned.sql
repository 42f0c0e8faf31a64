/*
    The snapshots of each prediction's backtests (customer_ai__backtest_dates; see macros/config/snapshot_plan.sql):
    one row per (prediction, backtest date, snapshot), the snapshot's role being 'evaluation' (the backtest date:
    who was eligible then, and what happened in the outcome window after it) or 'training' (the snapshots a build
    with the backtest date as its as-of date would have trained on, whose outcome windows closed on or before the
    backtest date). Backtest dates whose outcome windows have not closed by the as-of date, and training snapshots
    before the first event, are left out.
*/

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

planned as (

    {%- set selects = [] %}
    {%- for p in customer_ai_predictions() %}
    {%- set plan = customer_ai_snapshot_plan(p) %}
    {%- for entry in plan if entry.backtest is not none %}
    {%- set evaluation = (plan | selectattr('backtest', 'equalto', entry.backtest) | selectattr('role', 'equalto', 'evaluation') | first) %}
    {%- do selects.append(
        'select ' ~ customer_ai_literal(p.name) ~ ' as prediction_name, '
        ~ entry.backtest ~ ' as backtest_number, '
        ~ customer_ai_plan_date_sql(p, evaluation, 'as_of_date') ~ ' as backtest_date, '
        ~ customer_ai_plan_date_sql(p, entry, 'as_of_date') ~ ' as snapshot_date, '
        ~ customer_ai_literal(entry.role) ~ ' as snapshot_role, '
        ~ p.outcome_window_days ~ ' as outcome_window_days from event_range') %}
    {%- endfor %}
    {%- endfor %}
    {%- if selects %}
    {{ selects | join('\n    union all\n    ') }}
    {%- else %}
    -- no backtests configured (customer_ai__backtest_dates: 0 or [])
    select
        cast(null as {{ dbt.type_string() }}) as prediction_name,
        0 as backtest_number,
        cast(null as date) as backtest_date,
        cast(null as date) as snapshot_date,
        cast(null as {{ dbt.type_string() }}) as snapshot_role,
        0 as outcome_window_days
    from event_range
    where 1 = 0
    {%- endif %}

),

final as (

    select
        planned.prediction_name,
        cast(planned.backtest_number as integer) as backtest_number,
        planned.backtest_date,
        planned.snapshot_date,
        planned.snapshot_role,
        cast(planned.outcome_window_days as integer) as outcome_window_days,
        cast(event_range.as_of_date as date) as as_of_date
    from planned
    cross join event_range
    where {{ customer_ai_days_between('planned.backtest_date', 'event_range.as_of_date') }} >= planned.outcome_window_days
        and planned.snapshot_date >= event_range.first_event_date

)

select * from final
