{#-
    After an incremental run: delete the rows of profiles that no longer have any site or app event in
    stg_experience_events (their events were erased from the input), so that nothing of them stays behind in an
    incremental table. Renders nothing on a full build, where the table is rebuilt from the events anyway.
-#}
{% macro customer_ai_delete_profiles_without_events(relation) %}
    {%- if not is_incremental() -%}{{ return('') }}{%- endif -%}
    delete from {{ relation }}
    where profile_id not in (
        select profile_id
        from {{ ref('stg_experience_events') }}
        where event_type not like 'directMarketing.%'
    )
{% endmacro %}
