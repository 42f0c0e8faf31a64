{#-
    Post-hook of int_as_of_dates_resolved: say which as-of date the build uses and, when events lie after it, how
    many on which days and why they are left out (a warning: those events are staged but score nothing yet).
-#}
{% macro customer_ai_report_as_of_date(relation) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set chosen = run_query('select as_of_date, as_of_rule, median_daily_events, last_event_date, days_after_as_of, '
        ~ 'events_after_as_of from ' ~ relation) -%}
    {%- if chosen.rows | length == 0 or chosen.rows[0][0] is none -%}
        {{ exceptions.raise_compiler_error("No as-of date: stg_experience_events has no usable events (see "
            ~ "stg_experience_events_rejected for the reasons).") }}
    {%- endif -%}
    {%- set row = chosen.rows[0] -%}
    {%- do log("Customer AI: as-of date " ~ row[0] ~ " (" ~ row[1] ~ "; median " ~ row[2] ~ " events a day).", info=true) -%}
    {%- if row[4] and row[4] > 0 -%}
        {%- set days = run_query('select event_date, count(*) from ' ~ ref('stg_experience_events')
            ~ ' where event_date > ' ~ customer_ai_date_literal(row[0]) ~ ' group by event_date order by event_date limit 5') -%}
        {%- set listed = [] -%}
        {%- for d in days.rows -%}{%- do listed.append(d[0] ~ ": " ~ d[1]) -%}{%- endfor -%}
        {%- if var('customer_ai__as_of_date') is not none -%}
            {%- set why = "customer_ai__as_of_date is set" -%}
        {%- else -%}
            {%- set why = "each of these days has fewer than " ~ var('customer_ai__as_of_min_daily_share')
                ~ " of the median daily event count (stray events, e.g. a wrong device clock or a test event; set "
                ~ "customer_ai__as_of_date to score at a later date)" -%}
        {%- endif -%}
        {%- do exceptions.warn("Customer AI: " ~ row[5] ~ " event(s) on " ~ row[4] ~ " day(s) after the as-of date "
            ~ row[0] ~ " are left out of features, labels and scores, because " ~ why ~ ". Days: "
            ~ (listed | join(', ')) ~ (" ..." if row[4] > 5 else "") ~ "; the last event is on " ~ row[3] ~ ".") -%}
    {%- endif -%}
    {%- if row[3] is not none and (row[0] - row[3]).days > 0 -%}
        {%- do exceptions.warn("Customer AI: the as-of date " ~ row[0] ~ " is " ~ (row[0] - row[3]).days
            ~ " day(s) after the last event (" ~ row[3] ~ "): profiles count as inactive for that long.") -%}
    {%- endif -%}
    select 1
{% endmacro %}
