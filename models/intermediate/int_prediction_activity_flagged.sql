{{ config(**customer_ai_per_day_incremental_config('activity_date')) }}
/*
    Every condition of every prediction (customer_ai__predictions), compiled to SQL once (macros/goals/conditions.sql)
    and tested on every event: one row per (prediction, condition, profile, day) on which at least one event met
    the condition. The roles:
      - goal: the goal's conditions, numbered from 1
      - eligibility: the eligibility conditions, numbered from 1
      - active (number 0): an event the profile initiated, i.e. with a type other than customer_ai__passive_event_types
    An event that matches one of a prediction's exclusions meets none of that prediction's conditions.
    int_prediction_snapshots_labeled turns these rows into eligibility and labels with plain SQL.

    In a full build the readers of the staged events each scan the table (customer_ai_inlined_cte): a CTE they
    shared would hold a copy of every event (5.6 GB at a million profiles).

    Incremental on DuckDB: a run tests again only the days whose staged events changed (restaged) since the last
    run, and deletes the days that have no staged event left: macros/staging/recount.sql.
*/
{%- set conditions = [] -%}
{#- each distinct test is computed once (without exclusions, "active" is the same test for every prediction) -#}
{%- set tests = [] -%}
{%- for p in customer_ai_predictions() -%}
    {%- set kept = ' and not coalesce(' ~ customer_ai_any_condition_sql(p.exclusions) ~ ', false)' if p.exclusions else '' -%}
    {%- set listed = [('active', 0, customer_ai_array_has_other_than('event_types', var('customer_ai__passive_event_types')))] -%}
    {%- for c in p.conditions %}{% do listed.append(('goal', loop.index, customer_ai_condition_sql(c))) %}{% endfor -%}
    {%- for c in p.eligibility_conditions %}{% do listed.append(('eligibility', loop.index, customer_ai_condition_sql(c))) %}{% endfor -%}
    {%- for role, number, test in listed -%}
        {%- if (test ~ kept) not in tests %}{% do tests.append(test ~ kept) %}{% endif -%}
        {%- do conditions.append({'prediction': p.name, 'role': role, 'number': number, 'test': tests.index(test ~ kept) + 1}) -%}
    {%- endfor -%}
{%- endfor -%}

{#- the compiled conditions: a change of a prediction tests every day again -#}
{%- set rules = {'conditions': conditions, 'tests': tests} %}

with

events as {{ customer_ai_inlined_cte(full_build_only=true) }} (

    {{ customer_ai_per_day_events('activity_date', rules) }}

),

day_staged_at as (

    {{ customer_ai_day_staged_at('events') }}

),

conditions as (

    {%- for c in conditions %}
    select
        {{ c.test }} as test_number,
        {{ customer_ai_literal(c.prediction) }} as prediction_name,
        {{ customer_ai_literal(c.role) }} as condition_role,
        {{ c.number }} as condition_number
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

daily_flags as (

    -- one pass over the events: per profile and day, whether some event passed each test
    select
        profile_id,
        event_date
        {%- for test in tests %},
        max(case when {{ test }} then 1 else 0 end) as passed_{{ loop.index }}
        {%- endfor %}
    from events
    group by profile_id, event_date

),

final as (

    -- the long form: a row for each condition met
    select
        conditions.prediction_name,
        conditions.condition_role,
        conditions.condition_number,
        daily_flags.profile_id,
        daily_flags.event_date as activity_date,
        -- what the next run compares to find the days to test again (macros/staging/recount.sql)
        day_staged_at.events_staged_at,
        {{ customer_ai_string_literal(customer_ai_per_day_rules_fingerprint(rules)) }} as rules_fingerprint,
        {{ customer_ai_run_started_at() }} as computed_at
    from daily_flags
    inner join day_staged_at
        on daily_flags.event_date = day_staged_at.event_date
    inner join conditions
        on case conditions.test_number
            {%- for test in tests %}
            when {{ loop.index }} then daily_flags.passed_{{ loop.index }}
            {%- endfor %}
        end = 1

)

select * from final
