/*
    The snapshot dates of every prediction, one row per (prediction, date), and what each is for
    (macros/config/snapshot_plan.sql):
      - scoring: the as-of date itself (int_as_of_dates_resolved: customer_ai__as_of_date, or the last day with a
        normal share of the event volume);
      - training: the live model's snapshots, a full outcome window (or more) before the as-of date, so their labels
        are fully observed, on the fixed grid of every customer_ai__snapshot_spacing_days days from 1970-01-01: the
        last grid date on or before as_of - outcome_window, then every spacing before it;
      - backtest: other labelled snapshots that only the backtests use (int_backtest_snapshots_assigned);
      - history: scoring dates of earlier builds (fct_propensity_score_history) whose outcome windows have closed
        and that rpt_score_history_outcomes has not measured yet: labelled, no features
        (macros/evaluation/history_dates.sql).
    A date with several uses is listed once, under the first of scoring, training, backtest, history. Training
    snapshots before the first event are dropped.
*/
{%- set history_dates = customer_ai_unmeasured_history_dates() -%}
{%- set configured = [] -%}
{%- for p in customer_ai_predictions() -%}{%- do configured.append(p.name) -%}{%- endfor -%}

with

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

backtest_snapshots as (

    select * from {{ ref('int_backtest_snapshots_assigned') }}

),

event_range as (

    select
        as_of.as_of_date,
        min(events.event_date) as first_event_date
    from {{ ref('stg_experience_events') }} as events
    cross join as_of
    group by as_of.as_of_date

),

live_schedule as (

    {%- for p in customer_ai_predictions() %}
    {%- set outer_loop = loop %}
    {%- for entry in customer_ai_snapshot_plan(p) if entry.backtest is none %}
    select
        {{ customer_ai_literal(p.name) }} as prediction_name,
        {{ customer_ai_literal(entry.role) }} as snapshot_kind,
        {{ 0 if entry.role == 'scoring' else loop.index - 1 }} as snapshot_number,
        {{ p.outcome_window_days }} as outcome_window_days,
        {{ customer_ai_plan_date_sql(p, entry, 'as_of_date') }} as snapshot_date
    from event_range
    {{ 'union all' if not (outer_loop.last and loop.last) }}
    {%- endfor %}
    {%- endfor %}

),

schedule as (

    select
        prediction_name,
        snapshot_kind,
        snapshot_number,
        outcome_window_days,
        snapshot_date,
        case when snapshot_kind = 'scoring' then 0 else 1 end as kind_priority
    from live_schedule

    union all

    select distinct
        prediction_name,
        'backtest' as snapshot_kind,
        cast(null as integer) as snapshot_number,
        outcome_window_days,
        snapshot_date,
        2 as kind_priority
    from backtest_snapshots
    {%- for pair in history_dates if pair.prediction_name in configured %}
    {%- set p = customer_ai_predictions() | selectattr('name', 'equalto', pair.prediction_name) | first %}

    union all

    select
        {{ customer_ai_literal(p.name) }} as prediction_name,
        'history' as snapshot_kind,
        cast(null as integer) as snapshot_number,
        {{ p.outcome_window_days }} as outcome_window_days,
        cast({{ customer_ai_literal(pair.as_of_date) }} as date) as snapshot_date,
        3 as kind_priority
    from event_range
    where {{ customer_ai_days_between('cast(' ~ customer_ai_literal(pair.as_of_date) ~ ' as date)', 'as_of_date') }} >= {{ p.outcome_window_days }}
    {%- endfor %}

),

first_use as (

    select
        *,
        row_number() over (partition by prediction_name, snapshot_date order by kind_priority) as use_rank
    from schedule

),

final as (

    select
        first_use.prediction_name,
        first_use.snapshot_kind,
        cast(first_use.snapshot_number as integer) as snapshot_number,
        cast(first_use.snapshot_date as date) as snapshot_date,
        cast(first_use.outcome_window_days as integer) as outcome_window_days,
        cast(event_range.as_of_date as date) as as_of_date
    from first_use
    cross join event_range
    where first_use.use_rank = 1
        and first_use.snapshot_date >= event_range.first_event_date

)

select * from final
