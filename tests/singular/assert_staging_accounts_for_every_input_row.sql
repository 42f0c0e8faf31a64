{#- Input rows = staged rows + rejected rows: nothing is lost and nothing is counted twice. -#}

with

input_rows as (

    select count(*) as row_count from {{ customer_ai_raw_events() }}

),

staged_rows as (

    select count(*) as row_count from {{ ref('stg_experience_events') }}

),

rejected_rows as (

    select count(*) as row_count from {{ ref('stg_experience_events_rejected') }}

),

final as (

    select
        input_rows.row_count as input_row_count,
        staged_rows.row_count as staged_row_count,
        rejected_rows.row_count as rejected_row_count
    from input_rows
    cross join staged_rows
    cross join rejected_rows

)

select * from final
where input_row_count <> staged_row_count + rejected_row_count
