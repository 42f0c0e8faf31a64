/*
    How many profiles fall in each 5-point score bin (0-4, 5-9, ..., 95-100), empty bins included.
*/

with

scores as (

    select * from {{ ref('fct_propensity_scores') }}

),

bins as (

    {%- for start in range(0, 100, 5) %}
    select {{ start }} as bin_start, {{ start + 4 if start < 95 else 100 }} as bin_end
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

predictions as (

    select distinct
        prediction_name,
        propensity_type
    from scores

),

counts as (

    select
        prediction_name,
        least(cast(floor(score / 5) as integer) * 5, 95) as bin_start,
        count(*) as profiles
    from scores
    group by prediction_name, least(cast(floor(score / 5) as integer) * 5, 95)

),

final as (

    select
        predictions.prediction_name,
        predictions.propensity_type,
        bins.bin_start,
        bins.bin_end,
        {{ dbt.concat(['cast(bins.bin_start as ' ~ dbt.type_string() ~ ')', "'-'", 'cast(bins.bin_end as ' ~ dbt.type_string() ~ ')']) }} as score_bin,
        coalesce(counts.profiles, 0) as profiles
    from predictions
    cross join bins
    left join counts
        on predictions.prediction_name = counts.prediction_name
        and bins.bin_start = counts.bin_start

)

select * from final
