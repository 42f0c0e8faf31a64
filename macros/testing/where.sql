{#-
    Tests of the large incremental tables check the rows their model's last run wrote, not every row: a test's
    `where: "__written_by_the_last_run__"` becomes `computed_at = (select max(computed_at) from <model>)`, and
    `__written_by_the_last_run__(staged_at)` does the same with the named column, for the tables whose rows
    record the run that wrote them under another name.
    Key tests so limited are those of tables rewritten a whole slice at a time whose key holds the slice (the
    per-day models by day, the per-snapshot models by snapshot date, the sessions and sessionized events by
    profile, the staged events by event id, all of whose copies are restaged together), so a repeated key always
    lies within one slice, written by one run: checking each slice when it is written checks them all. A test of
    one row at a time may be limited for a simpler reason: a kept row has the values it was checked with when it
    was written. The accepted values of the staged events' rejection reasons and of the condition flags' roles
    are (each scanned every row; a not-null test is answered from column statistics, and is not). A full build
    writes every row, and so checks every row (so does every build in `make test`); a daily run checks the day's
    slices, not tens of millions of kept rows again. customer_ai__test_every_row: true checks every row on any
    run.
    This overrides dbt's get_where_subquery (dbt documents it as the place for such placeholders); any other
    `where` is applied as dbt applies it.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- set found = modules.re.search('__written_by_the_last_run__(?:\\(([a-z_]+)\\))?', where or '') -%}
    {%- if found -%}
        {%- set stamp = found.group(1) or 'computed_at' -%}
        {%- set written = 'true' if var('customer_ai__test_every_row') else
            stamp ~ ' = (select max(' ~ stamp ~ ') from ' ~ relation ~ ')' -%}
        {%- set where = where | replace(found.group(0), written) -%}
    {%- endif -%}
    {%- if where -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
