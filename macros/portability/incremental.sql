{#-
    History tables keep one slice per scoring date (as_of_date): a build replaces the slice of its own date and keeps
    every other. How the slice is replaced differs by engine:
      - DuckDB (and the default): delete+insert on as_of_date;
      - Spark with Parquet tables (no row deletes): the table is partitioned by as_of_date and a build overwrites
        its date's partition (insert_overwrite, dynamic partitions).
    Only --full-refresh empties a history table. `keys` are the columns of a slice (as_of_date, or for instance
    prediction_name and as_of_date); on Spark they are the partition columns and come last in the select.
-#}
{% macro customer_ai_dated_history_config(keys=['as_of_date']) %}
    {{ return(adapter.dispatch('customer_ai_dated_history_config', 'customer_ai')(keys)) }}
{% endmacro %}
{% macro default__customer_ai_dated_history_config(keys) %}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': keys}) }}
{% endmacro %}
{% macro spark__customer_ai_dated_history_config(keys) %}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': keys}) }}
{% endmacro %}
