/*
    What each prediction's latest model relies on overall: mean absolute SHAP contribution on the holdout.
*/

with

importance as (

    select * from {{ ref('ml_model_feature_importance') }}

),

catalog as (

    select * from {{ ref('int_features_cataloged') }}

),

final as (

    select
        importance.prediction_name,
        importance.importance_rank,
        importance.feature_name,
        catalog.feature_label,
        catalog.feature_group,
        importance.mean_absolute_contribution,
        importance.model_run_id
    from importance
    left join catalog
        on importance.feature_name = catalog.feature_name

)

select * from final
