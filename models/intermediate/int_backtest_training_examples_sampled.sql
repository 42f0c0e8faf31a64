/*
    The training examples of every backtest: what int_training_examples_sampled would hold in a build whose as-of
    date is the backtest date (eligible profiles at the backtest's training snapshots, labels from outcome windows
    closed by the backtest date, the same deterministic sample of at most customer_ai__training_max_rows), so a
    backtest model is the model that build would have trained.

    Incremental on DuckDB: kept whole while the labels and features of the backtests' training snapshots are
    unchanged (most daily runs), drawn again otherwise: macros/features/examples_incremental.sql.
*/
{{ config(**customer_ai_examples_incremental_config()) }}
{%- set inputs_fingerprint = customer_ai_examples_inputs_fingerprint(
    "select cast(backtest_date as " ~ dbt.type_string() ~ ") as key, prediction_name, snapshot_date from "
    ~ ref('int_backtest_snapshots_assigned') ~ " where snapshot_role = 'training'") -%}
{%- set kept = customer_ai_examples_kept(inputs_fingerprint) %}

with

backtest_snapshots as (

    select * from {{ ref('int_backtest_snapshots_assigned') }}
    where snapshot_role = 'training'

),

labels as (

    select * from {{ ref('int_prediction_snapshots_labeled') }}
    where snapshot_kind <> 'scoring'
        and is_eligible

),

features as (

    select * from {{ ref('int_profile_snapshots_featurized') }}

),

ranked as (

    select
        backtest_snapshots.backtest_date,
        labels.prediction_name,
        labels.propensity_type,
        labels.profile_id,
        labels.snapshot_date,
        labels.label,
        -- the same order as int_training_examples_sampled's sample
        cast(row_number() over (
            partition by labels.prediction_name, backtest_snapshots.backtest_date
            order by {{ dbt.hash(dbt.concat(['labels.profile_id', "'|'", 'cast(labels.snapshot_date as ' ~ dbt.type_string() ~ ')'])) }}
        ) as integer) as sample_rank
    from labels
    inner join backtest_snapshots
        on labels.prediction_name = backtest_snapshots.prediction_name
        and labels.snapshot_date = backtest_snapshots.snapshot_date

),

final as (

    select
        ranked.backtest_date,
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
