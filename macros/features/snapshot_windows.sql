{#-
    The distinct snapshot dates of all predictions, with the bounds the feature windows need. Windows are
    (start, snapshot]: a day is in the last N days when days_before < N.
      - previous_snapshot_date: the snapshot before (null for the first); (previous, snapshot] is the interval
        whose days the lifetime aggregates add when they move on to this snapshot
      - window_90d_start_date, window_30d_start_date: the exclusive starts of the 90- and 30-day windows
-#}
{% macro customer_ai_snapshot_windows() %}
    select
        snapshot_date,
        lag(snapshot_date) over (order by snapshot_date) as previous_snapshot_date,
        cast({{ dbt.dateadd('day', -90, 'snapshot_date') }} as date) as window_90d_start_date,
        cast({{ dbt.dateadd('day', -30, 'snapshot_date') }} as date) as window_30d_start_date
    from (
        -- history snapshots are only labelled (rpt_score_history_outcomes): they need no features
        select distinct snapshot_date from {{ ref('int_snapshot_dates_scheduled') }}
        where snapshot_kind <> 'history'
    ) as distinct_snapshot_dates
{% endmacro %}
