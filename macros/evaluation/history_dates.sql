{#-
    The (prediction, scoring date) pairs of fct_propensity_score_history that rpt_score_history_outcomes has not
    measured yet. int_snapshot_dates_scheduled adds them as 'history' snapshots, so that int_prediction_snapshots_labeled
    labels them (once their outcome windows have closed). The history is read from the warehouse by name, not with
    ref(): it is built downstream of the schedule, from the scores of earlier builds, and a ref would be a cycle.
    Empty at parse time, on the first build, and for pairs already measured (all pairs on --full-refresh).
-#}
{% macro customer_ai_unmeasured_history_dates() %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set history = adapter.get_relation(database=this.database, schema=this.schema, identifier='fct_propensity_score_history') -%}
    {%- if history is none -%}{{ return([]) }}{%- endif -%}
    {%- set measured = adapter.get_relation(database=this.database, schema=this.schema, identifier='rpt_score_history_outcomes') -%}
    {%- set query -%}
        select distinct prediction_name, cast(as_of_date as {{ dbt.type_string() }}) as as_of_date
        from {{ history }}
        {%- if measured is not none and not flags.FULL_REFRESH %}
        where {{ dbt.concat(['prediction_name', "'|'", 'cast(as_of_date as ' ~ dbt.type_string() ~ ')']) }} not in (
            select {{ dbt.concat(['prediction_name', "'|'", 'cast(as_of_date as ' ~ dbt.type_string() ~ ')']) }}
            from {{ measured }}
        )
        {%- endif %}
        order by 1, 2
    {%- endset -%}
    {%- set pairs = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- do pairs.append({'prediction_name': row[0], 'as_of_date': row[1]}) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{% endmacro %}
