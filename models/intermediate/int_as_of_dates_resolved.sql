{{ config(post_hook="{{ customer_ai_report_as_of_date(this) }}") }}
/*
    The scoring date (as-of date) of this build, and why. One row.

    customer_ai__as_of_date when it is set. Otherwise the last day whose event count is at least
    customer_ai__as_of_min_daily_share of the median daily count over the days with events: a handful of stray
    events far after the bulk (a device with a wrong clock, a test event sent today) would otherwise move the
    as-of date past the real data, leave every profile inactive at it and score nobody. The days left after the
    as-of date are counted here and logged by the post-hook.
*/
{%- set configured = var('customer_ai__as_of_date') -%}
{%- set share = var('customer_ai__as_of_min_daily_share') -%}

with

daily_events as (

    select
        event_date,
        count(*) as events
    from {{ ref('stg_experience_events') }}
    group by event_date

),

typical_day as (

    select {{ customer_ai_median('events') }} as median_daily_events
    from daily_events

),

busy_enough as (

    select max(daily_events.event_date) as last_busy_date
    from daily_events
    cross join typical_day
    where daily_events.events >= {{ customer_ai_literal(share) }} * typical_day.median_daily_events

),

chosen as (

    select
        {%- if configured is not none %}
        {{ customer_ai_date_literal(configured) }} as as_of_date,
        'customer_ai__as_of_date' as as_of_rule,
        {%- else %}
        busy_enough.last_busy_date as as_of_date,
        'last day with at least {{ share }} of the median daily events' as as_of_rule,
        {%- endif %}
        typical_day.median_daily_events
    from busy_enough
    cross join typical_day

),

after_as_of as (

    select
        count(*) as days_after_as_of,
        sum(daily_events.events) as events_after_as_of,
        max(daily_events.event_date) as last_event_date
    from daily_events
    cross join chosen
    where daily_events.event_date > chosen.as_of_date

),

final as (

    select
        cast(chosen.as_of_date as date) as as_of_date,
        chosen.as_of_rule,
        cast(chosen.median_daily_events as {{ customer_ai_type_double() }}) as median_daily_events,
        (select max(daily_events.event_date) from daily_events) as last_event_date,
        cast(after_as_of.days_after_as_of as bigint) as days_after_as_of,
        cast(coalesce(after_as_of.events_after_as_of, 0) as bigint) as events_after_as_of
    from chosen
    cross join after_as_of

)

select * from final
