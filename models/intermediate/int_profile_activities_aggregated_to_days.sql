{{ config(**customer_ai_per_day_incremental_config('activity_date')) }}
/*
    Events counted per profile, day and activity. An activity is an event type, or 'custom.<name>' for a custom
    event (customer_ai__custom_events). An event with several types (a product view that is also a page view)
    counts once for each of its types; a custom event counts each matching event once. Features and labels are
    computed from this much smaller table instead of raw events.

    In a full build the readers of the staged events each scan the table (customer_ai_inlined_cte): a CTE they
    shared would hold a copy of every event (5.6 GB at a million profiles).

    Incremental on DuckDB: a run recounts only the days whose staged events changed (restaged) since the last
    run, and deletes the days that have no staged event left: macros/staging/recount.sql.
*/
{#- what the counts depend on besides the events: a change recounts every day -#}
{%- set rules = {'custom_events': var('customer_ai__custom_events') or []} -%}

with

events as {{ customer_ai_inlined_cte(full_build_only=true) }} (

    {{ customer_ai_per_day_events('activity_date', rules) }}

),

day_staged_at as (

    {{ customer_ai_day_staged_at('events') }}

),

activities as (

    select
        profile_id,
        event_date as activity_date,
        {{ customer_ai_unnest('event_types') }} as activity,
        revenue
    from events
    {%- for ce in customer_ai_custom_events() %}

    union all

    select
        profile_id,
        event_date as activity_date,
        {{ customer_ai_literal(ce.activity) }} as activity,
        revenue
    from events
    where {% if ce.match == 'all_on_one_event' -%}
        {%- for c in ce.conditions %}{{ customer_ai_condition_sql(c) }}{{ ' and ' if not loop.last }}{% endfor -%}
    {%- else -%}
        {{ customer_ai_any_condition_sql(ce.conditions) }}
    {%- endif %}
    {%- endfor %}

),

counted as (

    select
        profile_id,
        activity_date,
        activity,
        count(*) as event_count,
        -- money is rounded to the cent after summing: a parallel sum of doubles can differ in the last bit from
        -- run to run, and features must be exactly the same for the same data (determinism of the models)
        round(sum(revenue), 2) as revenue
    from activities
    group by profile_id, activity_date, activity

),

final as (

    select
        counted.*,
        -- what the next run compares to find the days to recount (macros/staging/recount.sql)
        day_staged_at.events_staged_at,
        {{ customer_ai_string_literal(customer_ai_per_day_rules_fingerprint(rules)) }} as rules_fingerprint,
        {{ customer_ai_run_started_at() }} as computed_at
    from counted
    inner join day_staged_at
        on counted.activity_date = day_staged_at.event_date

)

select * from final
