{#-
    The profiles an incremental run of int_events_sessionized sessionizes again: CTEs ending in changed_profiles
    (profile_id, profile_bucket, sessionized_through, visits_before), for profiles whose site or app events
    (`is_site_or_app_event`) are new, changed or gone since their rows were sessionized, or whose rows were
    sessionized with other rules than `rules` (every profile when the table has no rows_record_rules: it predates
    the column). sessionized_through is null for a profile sessionized whole; otherwise the profile keeps its rows
    up to that day and only its later events are sessionized, their visits numbered on from visits_before.
-#}
{% macro customer_ai_profiles_to_resessionize(rules, rows_record_rules, is_site_or_app_event) %}
    {{ return(adapter.dispatch('customer_ai_profiles_to_resessionize', 'customer_ai')(rules, rows_record_rules, is_site_or_app_event)) }}
{% endmacro %}


{#-
    DuckDB, where staging is incremental by day: a restaged day's rows all get the new staged_at
    (stg_experience_events__validated), and a new, late, edited or removed event restages its day. So the profiles
    to sessionize again are those with events, staged or sessionized, on the days that are new, gone, or restaged
    after one of their sessionized rows was written (staged_at later than its sessionized_at; both are the start of
    the run that wrote them). The days are found when the model renders (customer_ai_resessionized_days), from the
    day and time columns only: comparing every event's content, as on Spark, read 51 million events twice at a
    million profiles (11 s a day with nothing to do), and written as dates into the SQL they let DuckDB read only
    those days' profiles.
-#}
{% macro duckdb__customer_ai_profiles_to_resessionize(rules, rows_record_rules, is_site_or_app_event) %}
{%- set days = customer_ai_resessionized_days(rules, rows_record_rules, is_site_or_app_event) %}
{%- if days is none %}
changed_profiles as (

    {{ customer_ai_resessionized_days_record(days) }}
    -- every profile, whole (profiles left with no event are deleted by the post-hook)
    select distinct
        profile_id,
        {{ customer_ai_profile_bucket('profile_id') }} as profile_bucket,
        cast(null as date) as sessionized_through,
        0 as visits_before
    from {{ ref('stg_experience_events') }}
    where {{ is_site_or_app_event }}

),
{%- else %}
touched_profiles as (

    {{ customer_ai_resessionized_days_record(days) }}
    -- profiles with events on a changed day: staged (new or changed) or sessionized (changed or gone)
    select
        profile_id,
        min(event_date) as first_changed_day
    from (
        select profile_id, event_date from {{ ref('stg_experience_events') }}
        where {{ customer_ai_on_days('event_at', days) }} and {{ is_site_or_app_event }}
        union all
        select profile_id, event_date from {{ this }}
        where {{ customer_ai_in_dates('event_date', days) }}
    ) as touched
    group by profile_id

),

sessionized_histories as (

    select
        profile_id,
        max(event_date) as last_sessionized_day,
        max(visit_number) as visits
    from {{ this }}
    where profile_id in (select profile_id from touched_profiles)
    group by profile_id

),

changed_profiles as (

    -- A profile whose every changed day comes after its last sessionized day (today's events, the daily case)
    -- keeps its rows: sessions end at midnight, so the sessions of its earlier days cannot change, and its visits
    -- are numbered on from the last. Any other (a late, edited or removed event; a new profile) is sessionized whole.
    select
        touched_profiles.profile_id,
        {{ customer_ai_profile_bucket('touched_profiles.profile_id') }} as profile_bucket,
        case
            when touched_profiles.first_changed_day > sessionized_histories.last_sessionized_day
                then sessionized_histories.last_sessionized_day
        end as sessionized_through,
        case
            when touched_profiles.first_changed_day > sessionized_histories.last_sessionized_day
                then sessionized_histories.visits
            else 0
        end as visits_before
    from touched_profiles
    left join sessionized_histories
        on touched_profiles.profile_id = sessionized_histories.profile_id

),
{%- endif %}
{% endmacro %}


{#-
    The events an incremental run of int_events_sessionized sessionizes (`source` with visits_before), given the CTE
    changed_profiles. DuckDB: every event of a profile sessionized whole, and the events after sessionized_through
    of a profile that keeps its rows.
-#}
{% macro customer_ai_events_to_sessionize(source) %}
    {{ return(adapter.dispatch('customer_ai_events_to_sessionize', 'customer_ai')(source)) }}
{% endmacro %}
{% macro duckdb__customer_ai_events_to_sessionize(source) %}
select
    {{ source }}.*,
    changed_profiles.visits_before
from {{ source }}
inner join changed_profiles
    on {{ source }}.profile_id = changed_profiles.profile_id
where changed_profiles.sessionized_through is null
    or {{ source }}.event_date > changed_profiles.sessionized_through
{% endmacro %}
{#- Elsewhere every changed profile is sessionized whole (Spark: every profile of the changed buckets). -#}
{% macro default__customer_ai_events_to_sessionize(source) %}
select
    *,
    0 as visits_before
from {{ source }}
where {{ customer_ai_profile_refresh_filter() }}
{% endmacro %}


{#-
    The comment that carries the changed days from the model to its post-hook, which deletes what is left of the
    profiles that lost every event (duckdb__customer_ai_delete_profiles_without_events).
-#}
{% macro customer_ai_resessionized_days_record(days) -%}
    {{ customer_ai_compiled_record('resessionized days', {'days': days}) }}
{%- endmacro %}


{#- The event days whose profiles are sessionized again (a list of 'YYYY-MM-DD'), or none when every profile is. -#}
{% macro customer_ai_resessionized_days(rules, rows_record_rules, is_site_or_app_event) %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- if not rows_record_rules -%}
        {%- do log(this.identifier ~ ': sessionizing every profile (rows sessionized before they recorded their rules)', info=true) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
    -- rows sessionized with other rules than this run's (both bounds, so one stale row is enough)
    select
        coalesce(
            min(sessions_rules_fingerprint) <> {{ rules }} or max(sessions_rules_fingerprint) <> {{ rules }}
            or count(sessions_rules_fingerprint) < count(*),
            false
        ) as rules_changed
    from {{ this }}
    {%- endset -%}
    {%- if run_query(query).rows[0][0] -%}
        {%- do log(this.identifier ~ ': sessionizing every profile (the session rules changed)', info=true) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
    select cast(coalesce(staged_day.event_date, sessionized_day.event_date) as {{ dbt.type_string() }}) as event_date
    from (
        select
            event_date,
            max(staged_at) as staged_at
        from {{ ref('stg_experience_events') }}
        where {{ is_site_or_app_event }}
        group by event_date
    ) as staged_day
    full outer join (
        select
            event_date,
            min(sessionized_at) as sessionized_at  -- the day's row sessionized longest ago
        from {{ this }}
        group by event_date
    ) as sessionized_day
        on staged_day.event_date = sessionized_day.event_date
    -- new, gone, or restaged since one of its rows was sessionized
    where staged_day.event_date is null
        or sessionized_day.event_date is null
        or staged_day.staged_at > sessionized_day.sessionized_at
    order by 1
    {%- endset -%}
    {%- set days = run_query(query).columns[0].values() | map('string') | list -%}
    {%- set noun = 'day' if days | length == 1 else 'days' -%}
    {%- do log(this.identifier ~ ': sessionizing again the profiles with events on ' ~ (days | length) ~ ' changed event ' ~ noun, info=true) -%}
    {{ return(days) }}
{% endmacro %}


{#-
    Elsewhere (Spark, whose staging is rebuilt by every run, so staged_at says nothing): per profile, the count and an
    order-free fingerprint of its site and app events, staged and sessionized; a profile is sessionized again when
    they differ, when it is new or gone, or when its rows carry other rules.
-#}
{% macro default__customer_ai_profiles_to_resessionize(rules, rows_record_rules, is_site_or_app_event) %}
staged_fingerprints as (

    -- reads the staged events itself: DuckDB writes out a CTE that two others read (site_and_app_events would be
    -- every event, before the changed profiles are kept)
    select
        profile_id,
        count(*) as events,
        {{ customer_ai_fingerprint_sum(customer_ai_sessionized_event_columns()) }} as fingerprint
    from (
        select
            profile_id,
            event_id,
            event_at,
            event_type,
            {{ customer_ai_session_type_flags('event_types') | indent(8) }},
            revenue
        from {{ ref('stg_experience_events') }}
        where {{ is_site_or_app_event }}
    ) as staged
    group by profile_id

),

sessionized_fingerprints as (

    select
        profile_id,
        count(*) as events,
        {{ customer_ai_fingerprint_sum(customer_ai_sessionized_event_columns()) }} as fingerprint,
        {%- if rows_record_rules %}
        -- rows sessionized with other rules than this run's (both bounds, so one stale row is enough)
        min(sessions_rules_fingerprint) <> {{ rules }} or max(sessions_rules_fingerprint) <> {{ rules }}
            or count(sessions_rules_fingerprint) < count(*) as rules_changed
        {%- else %}
        true as rules_changed
        {%- endif %}
    from {{ this }}
    group by profile_id

),

changed_profiles as (

    -- new, changed and vanished profiles
    select
        coalesce(staged_fingerprints.profile_id, sessionized_fingerprints.profile_id) as profile_id,
        {{ customer_ai_profile_bucket('coalesce(staged_fingerprints.profile_id, sessionized_fingerprints.profile_id)') }}
            as profile_bucket
    from staged_fingerprints
    full outer join sessionized_fingerprints
        on staged_fingerprints.profile_id = sessionized_fingerprints.profile_id
    where staged_fingerprints.profile_id is null
        or sessionized_fingerprints.profile_id is null
        or staged_fingerprints.events <> sessionized_fingerprints.events
        or staged_fingerprints.fingerprint <> sessionized_fingerprints.fingerprint
        or sessionized_fingerprints.rules_changed

),
{% endmacro %}


{#- The columns of a sessionized event that come from its staged event: what the fingerprints above compare. -#}
{% macro customer_ai_sessionized_event_columns() %}
    {{ return(['event_id', 'event_at', 'event_type'] + customer_ai_session_flagged_types().keys() | list + ['revenue']) }}
{% endmacro %}
