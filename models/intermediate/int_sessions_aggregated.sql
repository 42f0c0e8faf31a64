{{ config(**customer_ai_per_profile_rollup_config()) }}
/*
    One row per session: start, end, duration, event counts, purchase flag and revenue.

    Incremental on DuckDB: a run aggregates only the events int_events_sessionized wrote since the last run's
    (stamped later): every session of a profile sessionized whole (its old sessions deleted first), the new days'
    sessions of a profile that kept its rows (numbered on from its last session); it deletes the sessions of
    profiles that have none left. A change of the code (this model's or a project macro's), or a table from before
    rows recorded both, aggregates every session again (macros/sessions/rollup.sql). On Spark it is a table.
*/
{%- set rules = customer_ai_string_literal(local_md5(customer_ai_model_code())) %}
{%- set rows_record = is_incremental() and customer_ai_relation_has_columns(this, ['sessionized_at', 'rules_fingerprint']) %}
{%- set through = customer_ai_rolled_up_through(this, rules) if rows_record else none %}

with

sessionized as (

    {%- if is_incremental() %}
    {{ customer_ai_compiled_record('rolled up through', {'sessionized_at': through}) }}
    {%- endif %}
    select * from {{ ref('int_events_sessionized') }}
    {%- if through is not none %}
    where sessionized_at > cast('{{ through }}' as timestamp)
    {%- endif %}

),

sessions as (

    select
        profile_id,
        visit_start_epoch,
        piece_number,
        min(event_at) as session_start_at,
        max(event_at) as session_end_at,
        min(event_date) as session_date,
        max({{ customer_ai_epoch_seconds('event_at') }}) - min({{ customer_ai_epoch_seconds('event_at') }})
            as duration_seconds,
        count(*) as event_count,
        -- an event counts for every type it carries (a product view is usually a page view too)
        sum(case when is_page_view then 1 else 0 end) as page_view_count,
        sum(case when is_product_view then 1 else 0 end) as product_view_count,
        max(case when is_purchase then 1 else 0 end) = 1 as has_purchase,
        -- rounded to the cent: a parallel sum of doubles can differ in its last bit from run to run
        round(coalesce(sum(case when is_purchase then revenue end), 0), 2) as revenue,
        max(sessionized_at) as sessionized_at
    from sessionized
    group by profile_id, visit_start_epoch, piece_number

),
{%- if through is not none %}

sessions_kept as (

    -- how many sessions each profile keeps (read after the pre-hook's delete)
    select
        kept.profile_id,
        max(kept.session_sequence_number) as sessions
    from {{ this }} as kept
    where kept.profile_id in (select sessions.profile_id from sessions)
    group by kept.profile_id

),
{%- endif %}

final as (

    select
        -- readable and unique: the profile, the visit's first second, the piece (made here, once per session)
        {{ dbt.concat([
            'sessions.profile_id', "'-'",
            'cast(sessions.visit_start_epoch as ' ~ dbt.type_string() ~ ')', "'-'",
            'cast(sessions.piece_number as ' ~ dbt.type_string() ~ ')'
        ]) }} as session_id,
        sessions.profile_id,
        cast(
            {%- if through is not none %}
            -- after the sessions the profile keeps (none for a profile sessionized whole: the pre-hook deleted them)
            coalesce(sessions_kept.sessions, 0) +
            {%- endif %}
            row_number() over (
                partition by sessions.profile_id order by sessions.session_start_at, sessions.piece_number
            ) as integer
        ) as session_sequence_number,
        sessions.session_start_at,
        sessions.session_end_at,
        sessions.session_date,
        sessions.duration_seconds,
        sessions.event_count,
        cast(sessions.page_view_count as bigint) as page_view_count,  -- sums of integers: HUGEINT on DuckDB otherwise
        cast(sessions.product_view_count as bigint) as product_view_count,
        sessions.has_purchase,
        sessions.revenue,
        sessions.sessionized_at,
        {{ rules }} as rules_fingerprint,
        {{ customer_ai_run_started_at() }} as computed_at
    from sessions
    {%- if through is not none %}
    left join sessions_kept
        on sessions.profile_id = sessions_kept.profile_id
    {%- endif %}

)

select * from final
