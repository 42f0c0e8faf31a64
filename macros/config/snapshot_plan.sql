{#-
    Which snapshot dates a prediction needs, and what each is for. Dates are relative to the as-of date A (offset in
    days before it) or, for backtest dates given as a list, absolute. With window w, spacing s and T training
    snapshots (customer_ai__training_snapshots):

      - scoring:   A
      - training:  A - w - j*s, j = 0..T-1 (the live model; their outcome windows closed by A)
      - backtest k (customer_ai__backtest_dates: a count n gives k = 1..n at D_k = A - w - (k-1)*s; a list gives
        its dates): the model is trained exactly as a build with as-of date D_k would train it, on the snapshots
        D_k - w - j*s, and evaluated on the profiles eligible at D_k against what happened in (D_k, D_k + w].
        A backtest date whose outcome window has not closed by A is left out.

    Returns a list of {role, backtest, offset, date}: role training | evaluation | scoring (backtest entries carry
    their number; live entries backtest = none); exactly one of offset and date is set.
-#}
{% macro customer_ai_snapshot_plan(p) %}
    {%- set w = p.outcome_window_days | int -%}
    {%- set s = var('customer_ai__snapshot_spacing_days') | int -%}
    {%- set t = var('customer_ai__training_snapshots') | int -%}
    {%- set plan = [{'role': 'scoring', 'backtest': none, 'offset': 0, 'date': none}] -%}
    {%- for j in range(t) -%}
        {%- do plan.append({'role': 'training', 'backtest': none, 'offset': w + j * s, 'date': none}) -%}
    {%- endfor -%}
    {%- set setting = var('customer_ai__backtest_dates') -%}
    {%- if setting is number -%}
        {%- for k in range(setting | int) -%}
            {%- set evaluation = w + k * s -%}
            {%- do plan.append({'role': 'evaluation', 'backtest': k + 1, 'offset': evaluation, 'date': none}) -%}
            {%- for j in range(t) -%}
                {%- do plan.append({'role': 'training', 'backtest': k + 1, 'offset': evaluation + w + j * s, 'date': none}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- else -%}
        {%- for text in setting | sort -%}
            {%- set day = modules.datetime.date.fromisoformat(text | string) -%}
            {%- do plan.append({'role': 'evaluation', 'backtest': loop.index, 'offset': none, 'date': day}) -%}
            {%- for j in range(t) -%}
                {%- set before = day - modules.datetime.timedelta(days=w + j * s) -%}
                {%- do plan.append({'role': 'training', 'backtest': loop.index, 'offset': none, 'date': before}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(plan) }}
{% endmacro %}


{#- The SQL date of a plan entry, given the column (or expression) holding the as-of date. -#}
{% macro customer_ai_plan_date_sql(entry, as_of) -%}
    {%- if entry.date is not none -%}
        cast('{{ entry.date.isoformat() }}' as date)
    {%- else -%}
        cast({{ dbt.dateadd('day', -1 * entry.offset, as_of) }} as date)
    {%- endif -%}
{%- endmacro %}
