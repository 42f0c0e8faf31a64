/*
    Every condition of every prediction (customer_ai__predictions), compiled to SQL once (macros/goals/conditions.sql)
    and tested on every event: one row per (prediction, condition, profile, day) on which at least one event met
    the condition. The roles:
      - goal: the goal's conditions, numbered from 1
      - eligibility: the eligibility conditions, numbered from 1
      - active (number 0): an event the profile initiated, i.e. with a type other than customer_ai__passive_event_types
    An event that matches one of a prediction's exclusions meets none of that prediction's conditions.
    int_prediction_snapshots_labeled turns these rows into eligibility and labels with plain SQL.
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

with

events as (

    select * from {{ ref('stg_experience_events') }}

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
        daily_flags.event_date as activity_date
    from daily_flags
    inner join conditions
        on case conditions.test_number
            {%- for test in tests %}
            when {{ loop.index }} then daily_flags.passed_{{ loop.index }}
            {%- endfor %}
        end = 1

)

select * from final
