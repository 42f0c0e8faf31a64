{#-
    Incremental models with one row per event of a profile (int_events_sessionized) refresh the profiles whose
    events changed since the last run. How a refresh replaces rows differs by engine:
      - DuckDB: replace_slices on profile and day (macros/portability/incremental.sql: dbt's delete+insert would
        join each refreshed profile's old events with its new ones), since a profile whose changes all come after
        its sessionized days only adds days (macros/sessions/resessionize.sql); afterwards the rows of profiles
        with no site or app event left on a changed day (an erasure request, a removed event) are deleted. The
        default elsewhere: replace_slices on profile_id, and the profiles with no site or app event left deleted.
      - Spark with Parquet tables: no row deletes and no merge (both need Delta or Iceberg), so the table is
        partitioned by profile_bucket and a run overwrites the partitions (buckets) of the changed profiles,
        re-sessionizing every profile in them (insert_overwrite, dynamic partitions); a bucket whose profiles
        all vanished is dropped afterwards.
-#}
{% macro customer_ai_profile_incremental_config() %}
    {{ return(adapter.dispatch('customer_ai_profile_incremental_config', 'customer_ai')()) }}
{% endmacro %}
{% macro default__customer_ai_profile_incremental_config() %}
    {{ return({'incremental_strategy': 'replace_slices', 'unique_key': 'profile_id'}) }}
{% endmacro %}
{#- DuckDB: a profile that keeps its rows adds days, so a slice is a profile's day (resessionize.sql) -#}
{% macro duckdb__customer_ai_profile_incremental_config() %}
    {{ return({'incremental_strategy': 'replace_slices', 'unique_key': ['profile_id', 'event_date']}) }}
{% endmacro %}
{% macro spark__customer_ai_profile_incremental_config() %}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['profile_bucket']}) }}
{% endmacro %}


{#- Which rows an incremental run recomputes, given the CTE changed_profiles (profile_id, profile_bucket). -#}
{% macro customer_ai_profile_refresh_filter() %}
    {{ return(adapter.dispatch('customer_ai_profile_refresh_filter', 'customer_ai')()) }}
{% endmacro %}
{% macro default__customer_ai_profile_refresh_filter() -%}
    profile_id in (select profile_id from changed_profiles)
{%- endmacro %}
{% macro spark__customer_ai_profile_refresh_filter() -%}
    {{ customer_ai_profile_bucket('profile_id') }} in (select distinct profile_bucket from changed_profiles)
{%- endmacro %}


{#- A profile's bucket, 0..63, the same on every engine (from the md5 of the id). -#}
{% macro customer_ai_profile_bucket(expr) %}
    {{ return(adapter.dispatch('customer_ai_profile_bucket', 'customer_ai')(expr)) }}
{% endmacro %}
{% macro default__customer_ai_profile_bucket(expr) -%}
    cast(cast(('0x' || substr(md5({{ expr }}), 1, 8)) as bigint) % 64 as integer)
{%- endmacro %}
{% macro spark__customer_ai_profile_bucket(expr) -%}
    cast(pmod(cast(conv(substr(md5({{ expr }}), 1, 8), 16, 10) as bigint), 64) as int)
{%- endmacro %}


{#- Post-hook of int_events_sessionized: remove what is left of profiles that no longer have any site or app event. -#}
{% macro customer_ai_delete_profiles_without_events(relation) %}
    {%- if not is_incremental() -%}{{ return('') }}{%- endif -%}
    {{ return(adapter.dispatch('customer_ai_delete_profiles_without_events', 'customer_ai')(relation)) }}
{% endmacro %}
{% macro default__customer_ai_delete_profiles_without_events(relation) %}
    delete from {{ relation }}
    where profile_id not in (
        select profile_id
        from {{ ref('stg_experience_events') }}
        where event_type not like 'directMarketing.%'
    )
{% endmacro %}
{#-
    DuckDB, where the run sessionized again every profile with a row on a changed day (or every profile:
    macros/sessions/resessionize.sql): each of them got its rows rewritten, stamped with this run's start, on every
    day it still has events (a profile that keeps its rows has none on a changed day). A row on a changed day with
    an older stamp is thus a row of a profile left with no event on that day, and a profile that lost every event
    had all its rows on changed days (a day whose events are removed is restaged or gone). So those rows are
    deleted without reading the staged events again (an anti-join over every staged and every sessionized row took
    5 s at a million profiles).
-#}
{% macro duckdb__customer_ai_delete_profiles_without_events(relation) %}
    {%- set days = customer_ai_recorded('resessionized days', 'post-hook')['days'] -%}
    delete from {{ relation }}
    where sessionized_at < {{ customer_ai_run_started_at() }}
        {%- if days is not none %}
        and {{ customer_ai_in_dates('event_date', days) }}
        {%- endif %}
{% endmacro %}


{#-
    Post-hook of int_sessions_aggregated: remove the sessions of profiles that int_events_sessionized no longer has
    (its own post-hook removed those left with no site or app event).
-#}
{% macro customer_ai_delete_sessions_without_events(relation) %}
    {%- if not is_incremental() -%}{{ return('') }}{%- endif -%}
    {#- distinct: the anti-join then builds on a million profiles, not on every sessionized event (at a million
        profiles 0.4-0.5 s against 2.4-4.4 s, in every run) -#}
    delete from {{ relation }}
    where profile_id not in (select distinct profile_id from {{ ref('int_events_sessionized') }})
{% endmacro %}
{% macro spark__customer_ai_delete_profiles_without_events(relation) %}
    {#- a bucket that still has rows but no staged profile was not overwritten: drop it -#}
    {%- set stale = run_query(
        'select distinct profile_bucket from ' ~ relation ~ ' where profile_bucket not in (select distinct '
        ~ customer_ai_profile_bucket('profile_id') ~ ' from ' ~ ref('stg_experience_events')
        ~ " where event_type not like 'directMarketing.%')") -%}
    {%- for row in stale.rows -%}
        {%- do run_query('alter table ' ~ relation ~ ' drop if exists partition (profile_bucket = ' ~ (row[0] | int) ~ ')') -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
