{#-
    Which snapshot dates a prediction needs, and what each is for. Dates are relative to the as-of date A (offset in
    days before it) or, for backtest dates given as a list, absolute. With window w, spacing s and T training
    snapshots (customer_ai__training_snapshots):

      - scoring:   A
      - training:  A - w - j*s, j = 0..T-1 (the live model; their outcome windows closed by A)
      - backtest k (customer_ai__backtest_dates: a count n gives k = 1..n at D_k = G - (k-1)*s, where G is the
        last date on or before A - w on the fixed grid of every s days counted from 1970-01-01; a list gives its
        dates): the model is trained exactly as a build with as-of date D_k would train it, on the snapshots
        D_k - w - j*s, and evaluated on the profiles eligible at D_k against what happened in (D_k, D_k + w].
        A backtest date whose outcome window has not closed by A is left out.
        Why a grid: counted back from A, every backtest date would move with each new day of data and no backtest
        could outlive its build; on the grid they stay put for s days, so a daily build reuses the backtests it
        already fitted (ml_propensity_backtests_trained) and fits one new date every s days.

    Returns a list of {role, backtest, offset, date, grid_window}: role training | evaluation | scoring (backtest
    entries carry their number; live entries backtest = none); exactly one of offset and date is set; grid_window
    (the outcome window w) is set on the entries of counted backtests, whose offsets count back from G, not A.
-#}
{% macro customer_ai_snapshot_plan(p) %}
    {%- set w = p.outcome_window_days | int -%}
    {%- set s = var('customer_ai__snapshot_spacing_days') | int -%}
    {%- set t = var('customer_ai__training_snapshots') | int -%}
    {%- set plan = [{'role': 'scoring', 'backtest': none, 'offset': 0, 'date': none, 'grid_window': none}] -%}
    {%- for j in range(t) -%}
        {%- do plan.append({'role': 'training', 'backtest': none, 'offset': w + j * s, 'date': none, 'grid_window': none}) -%}
    {%- endfor -%}
    {%- set setting = var('customer_ai__backtest_dates') -%}
    {%- if setting is number -%}
        {%- for k in range(setting | int) -%}
            {%- set evaluation = w + k * s -%}
            {%- do plan.append({'role': 'evaluation', 'backtest': k + 1, 'offset': evaluation, 'date': none, 'grid_window': w}) -%}
            {%- for j in range(t) -%}
                {%- do plan.append({'role': 'training', 'backtest': k + 1, 'offset': evaluation + w + j * s, 'date': none, 'grid_window': w}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- else -%}
        {%- for text in setting | sort -%}
            {%- set day = modules.datetime.date.fromisoformat(text | string) -%}
            {%- do plan.append({'role': 'evaluation', 'backtest': loop.index, 'offset': none, 'date': day, 'grid_window': none}) -%}
            {%- for j in range(t) -%}
                {%- set before = day - modules.datetime.timedelta(days=w + j * s) -%}
                {%- do plan.append({'role': 'training', 'backtest': loop.index, 'offset': none, 'date': before, 'grid_window': none}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(plan) }}
{% endmacro %}


{#- The SQL date of a plan entry, given the column (or expression) holding the as-of date. -#}
{% macro customer_ai_plan_date_sql(entry, as_of) -%}
    {%- if entry.date is not none -%}
        cast('{{ entry.date.isoformat() }}' as date)
    {%- elif entry.grid_window is not none -%}
        {#- A - w lies (days since 1970-01-01) mod s days after the grid date G -#}
        {%- set window_closed = 'cast(' ~ dbt.dateadd('day', -1 * entry.grid_window, as_of) ~ ' as date)' -%}
        {%- set past_grid = customer_ai_days_between("cast('1970-01-01' as date)", window_closed) ~ ' % ' ~ (var('customer_ai__snapshot_spacing_days') | int) -%}
        cast({{ dbt.dateadd('day', '-1 * (' ~ entry.offset ~ ' + ' ~ past_grid ~ ')', as_of) }} as date)
    {%- else -%}
        cast({{ dbt.dateadd('day', -1 * entry.offset, as_of) }} as date)
    {%- endif -%}
{%- endmacro %}
