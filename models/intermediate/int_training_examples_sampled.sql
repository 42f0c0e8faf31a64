/*
    Labelled training examples (eligible profiles at training snapshots) with their features. When a prediction
    has more than customer_ai__training_max_rows examples, a deterministic sample (smallest hash of profile and
    snapshot) keeps the training step's memory flat as the customer base grows.

    Incremental on DuckDB: kept whole while the labels and features of the training snapshots are unchanged (most
    daily runs), drawn again otherwise: macros/features/examples_incremental.sql.
*/
{{ config(**customer_ai_examples_incremental_config()) }}
{%- set inputs_fingerprint = customer_ai_examples_inputs_fingerprint(
    "select 'training' as key, prediction_name, snapshot_date from " ~ ref('int_snapshot_dates_scheduled')
    ~ " where snapshot_kind = 'training'") -%}
{%- set kept = customer_ai_examples_kept(inputs_fingerprint) %}

with

labels as (

    select * from {{ ref('int_prediction_snapshots_labeled') }}
    where snapshot_kind = 'training'
        and is_eligible

),

features as (

    select * from {{ ref('int_profile_snapshots_featurized') }}

),

ranked as (

    select
        prediction_name,
        propensity_type,
        profile_id,
        snapshot_date,
        label,
        -- md5 (dbt.hash) is the same on every engine, so the sample is too
        cast(row_number() over (
            partition by prediction_name
            order by {{ dbt.hash(dbt.concat(['profile_id', "'|'", 'cast(snapshot_date as ' ~ dbt.type_string() ~ ')'])) }}
        ) as integer) as sample_rank
    from labels

),

final as (

    select
        ranked.prediction_name,
        ranked.propensity_type,
        ranked.label,
        ranked.sample_rank,
        {{ customer_ai_feature_columns('features') | indent(8) }},
        -- what the examples were drawn from: the next run keeps them while it stays the same
        {{ inputs_fingerprint }} as inputs_fingerprint
    from ranked
    inner join features
        on ranked.profile_id = features.profile_id
        and ranked.snapshot_date = features.snapshot_date
    where ranked.sample_rank <= {{ var('customer_ai__training_max_rows') }}

)

{{ customer_ai_compiled_record('kept examples', {'kept': kept}) }}
select * from final
{%- if kept %}
where false
{%- endif %}
