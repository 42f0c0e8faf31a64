{#- Written between a CTE's name and its query, `name as {{ customer_ai_inlined_cte() }} (`, where several parts of a
    query read a CTE that is a scan of the events: each reader then scans the table itself, with only the columns and
    rows it needs. DuckDB materializes a CTE that is read more than once: it holds the CTE's whole result, spilling to
    disk beyond its memory limit, and every reader scans that copy. Over the events the copy is the input again: the
    staging's at a million profiles was 20 GB, written to disk and read back three times (BENCHMARKS.md). Spark
    inlines a deterministic CTE by itself and has no such keyword.
    full_build_only: in an incremental run the CTE stays one DuckDB holds. There it is the few rows the run redoes
    (restaged or recounted days), and finding them is a query of its own that each reader would otherwise run again. -#}
{% macro customer_ai_inlined_cte(full_build_only=false) %}
    {%- if full_build_only and is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('customer_ai_inlined_cte', 'customer_ai')()) }}
{% endmacro %}
{% macro default__customer_ai_inlined_cte() %}{{ return('') }}{% endmacro %}
{% macro duckdb__customer_ai_inlined_cte() %}{{ return('not materialized') }}{% endmacro %}
