{#-
    The distinct snapshot dates of all predictions, with the bounds the feature windows need. Windows are
    (start, snapshot]: a day is in the last N days when days_before < N.
      - previous_snapshot_date: the snapshot before (null for the first); (previous, snapshot] is the interval
        whose days the lifetime aggregates add when they move on to this snapshot
      - window_<N>d_start_date for each feature window N (customer_ai_feature_windows): the exclusive start of the
        last N days
    Dates in `kept` (YYYY-MM-DD strings: an incremental per-snapshot model's kept dates, snapshot_incremental.sql)
    are left out; the previous snapshot is then the previous one of the dates computed.
-#}
{% macro customer_ai_snapshot_windows(kept=[]) %}
    select
        snapshot_date,
        lag(snapshot_date) over (order by snapshot_date) as previous_snapshot_date
        {%- for days in customer_ai_feature_windows() | reverse %},
        cast({{ dbt.dateadd('day', -days, 'snapshot_date') }} as date) as window_{{ days }}d_start_date
        {%- endfor %}
    from {{ customer_ai_feature_snapshot_dates(kept) }}
{% endmacro %}


{#- The distinct snapshot dates that get features, but those in `kept`, as an aliased subquery. -#}
{% macro customer_ai_feature_snapshot_dates(kept=[]) -%}
    (
        -- history snapshots are only labelled (rpt_score_history_outcomes): they need no features
        select distinct snapshot_date from {{ ref('int_snapshot_dates_scheduled') }}
        where snapshot_kind <> 'history'
        {%- if kept %}
            and {{ customer_ai_not_kept('snapshot_date', kept) }}
        {%- endif %}
    ) as feature_snapshot_dates
{%- endmacro %}


{#- `expr` is not one of the kept snapshot dates (`true` when none is kept). -#}
{% macro customer_ai_not_kept(expr, kept) -%}
    not ({{ customer_ai_in_dates(expr, kept) }})
{%- endmacro %}


{#-
    The day windows of the feature counts, shortest first: every event type and custom event gets its events in the
    last N days for each N (<slug>_<N>d), and the longest window is how far back the recent half of the features
    (int_profile_activities_windowed_to_snapshots) looks. The value, engagement and visit features of the catalog
    are written for the 30- and 90-day windows.
-#}
{% macro customer_ai_feature_windows() %}
    {{ return([7, 30, 90]) }}
{% endmacro %}


{#- A where clause that leaves out the rows of the kept snapshot dates (none when nothing is kept). -#}
{% macro customer_ai_where_not_kept(kept) -%}
    {%- if kept %}where {{ customer_ai_not_kept('snapshot_date', kept) }}{% endif -%}
{%- endmacro %}
