{#-
    Which snapshot dates a prediction needs, and what each is for. With window w, spacing s and T training snapshots
    (customer_ai__training_snapshots), and the grid of every s days counted from 1970-01-01, write grid(X) for the
    last grid date on or before X. A build with as-of date A:

      - scores at A (the only date off the grid);
      - trains the live model on grid(A - w) - j*s, j = 0..T-1 (their outcome windows closed by A);
      - backtests (customer_ai__backtest_dates) at D_k: a count n gives k = 1..n at D_k = grid(A - w) - (k-1)*s; a
        list gives its dates. Backtest k is trained exactly as a build with as-of date D_k would train, on
        grid(D_k - w) - j*s, and evaluated on the profiles eligible at D_k against what happened in (D_k, D_k + w].
        A backtest date whose outcome window has not closed by A is left out.

    Why a grid: counted back from A, every training and backtest date would move with each new day of data, so
    nothing a build computed for them could outlive it. On the grid they stay put for s days: a daily build keeps
    the backtests it already fitted (ml_propensity_backtests_trained), and the live model and the backtests share
    their snapshot dates (backtest 1 stands where the live model's latest training snapshot is), so features and
    labels are computed at few dates.

    Returns a list of {role, backtest, offset, date}: role training | evaluation | scoring (backtest entries carry
    their number; live entries backtest = none); exactly one of offset and date is set. An offset counts days back
    from grid(A - w) + w, i.e. the date is grid(A - w) + w - offset, except for the scoring entry (offset none, date
    none: A itself).
-#}
{% macro customer_ai_snapshot_plan(p) %}
    {%- set w = p.outcome_window_days | int -%}
    {%- set s = var('customer_ai__snapshot_spacing_days') | int -%}
    {%- set t = var('customer_ai__training_snapshots') | int -%}
    {#- D - w - r is on the grid when D is (r = (-w) mod s: 0 when the window is a multiple of the spacing) -#}
    {%- set r = (0 - w) % s -%}
    {%- set plan = [{'role': 'scoring', 'backtest': none, 'offset': none, 'date': none}] -%}
    {%- for j in range(t) -%}
        {%- do plan.append({'role': 'training', 'backtest': none, 'offset': w + j * s, 'date': none}) -%}
    {%- endfor -%}
    {%- set setting = var('customer_ai__backtest_dates') -%}
    {%- if setting is number -%}
        {%- for k in range(setting | int) -%}
            {%- set evaluation = w + k * s -%}
            {%- do plan.append({'role': 'evaluation', 'backtest': k + 1, 'offset': evaluation, 'date': none}) -%}
            {%- for j in range(t) -%}
                {%- do plan.append({'role': 'training', 'backtest': k + 1, 'offset': evaluation + w + r + j * s, 'date': none}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- else -%}
        {%- set epoch = modules.datetime.date(1970, 1, 1) -%}
        {%- for text in setting | sort -%}
            {%- set day = modules.datetime.date.fromisoformat(text | string) -%}
            {%- set window_closed = day - modules.datetime.timedelta(days=w) -%}
            {%- set latest = window_closed - modules.datetime.timedelta(days=(window_closed - epoch).days % s) -%}
            {%- do plan.append({'role': 'evaluation', 'backtest': loop.index, 'offset': none, 'date': day}) -%}
            {%- for j in range(t) -%}
                {%- set before = latest - modules.datetime.timedelta(days=j * s) -%}
                {%- do plan.append({'role': 'training', 'backtest': loop.index, 'offset': none, 'date': before}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(plan) }}
{% endmacro %}


{#- The SQL date of a plan entry for prediction p, given the column (or expression) holding the as-of date. -#}
{% macro customer_ai_plan_date_sql(p, entry, as_of) -%}
    {%- if entry.date is not none -%}
        cast('{{ entry.date.isoformat() }}' as date)
    {%- elif entry.offset is none -%}
        cast({{ as_of }} as date)
    {%- else -%}
        {#- A - w lies (days from 1970-01-01 to A - w) mod s days after grid(A - w) -#}
        {%- set window_closed = 'cast(' ~ dbt.dateadd('day', -1 * (p.outcome_window_days | int), as_of) ~ ' as date)' -%}
        {%- set past_grid = customer_ai_days_between("cast('1970-01-01' as date)", window_closed) ~ ' % ' ~ (var('customer_ai__snapshot_spacing_days') | int) -%}
        cast({{ dbt.dateadd('day', '-1 * (' ~ entry.offset ~ ' + ' ~ past_grid ~ ')', as_of) }} as date)
    {%- endif -%}
{%- endmacro %}
