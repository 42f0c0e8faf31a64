{#- The configuration check of the time settings: snapshots, as-of date, backtests, sessions. -#}

{% macro customer_ai_time_config_errors() %}
    {%- set errors = [] -%}
    {%- for key in ['customer_ai__training_snapshots', 'customer_ai__snapshot_spacing_days',
                    'customer_ai__sessions_inactivity_minutes', 'customer_ai__sessions_max_minutes'] -%}
        {%- if not customer_ai_is_positive_int(var(key)) -%}
            {%- do errors.append(key ~ ": must be a positive whole number, got " ~ customer_ai_shown(var(key))) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set as_of = var('customer_ai__as_of_date') -%}
    {%- if as_of is not none -%}
        {%- set checked = customer_ai_date_errors(as_of, 'customer_ai__as_of_date') -%}
        {%- do errors.extend(checked[0]) -%}
        {%- if checked[1] is not none and checked[1] > run_started_at.date() -%}
            {%- do errors.append("customer_ai__as_of_date: " ~ as_of ~ " is in the future (the run started on "
                ~ run_started_at.strftime('%Y-%m-%d') ~ " UTC); scores need observed events before the as-of date") -%}
        {%- endif -%}
    {%- endif -%}
    {%- set backtests = var('customer_ai__backtest_dates') -%}
    {%- if customer_ai_is_number(backtests) -%}
        {%- if not (backtests is integer and 0 <= backtests <= 24) -%}
            {%- do errors.append("customer_ai__backtest_dates: a count must be a whole number from 0 to 24, got " ~ customer_ai_shown(backtests)) -%}
        {%- endif -%}
    {%- elif backtests is string or backtests is mapping or backtests is not iterable -%}
        {%- do errors.append("customer_ai__backtest_dates: must be a count (e.g. 3) or a list of dates YYYY-MM-DD, got " ~ customer_ai_shown(backtests)) -%}
    {%- else -%}
        {%- for day in backtests -%}
            {%- do errors.extend(customer_ai_date_errors(day, 'customer_ai__backtest_dates[' ~ loop.index0 ~ ']')[0]) -%}
        {%- endfor -%}
        {%- if backtests | length > 24 -%}
            {%- do errors.append("customer_ai__backtest_dates: at most 24 dates, got " ~ (backtests | length)) -%}
        {%- endif -%}
    {%- endif -%}
    {%- set share = var('customer_ai__as_of_min_daily_share') -%}
    {%- if not customer_ai_is_number(share) or share < 0 or share > 1 -%}
        {%- do errors.append("customer_ai__as_of_min_daily_share: must be a number between 0 and 1, got " ~ customer_ai_shown(share)) -%}
    {%- endif -%}
    {{ return(errors) }}
{% endmacro %}
