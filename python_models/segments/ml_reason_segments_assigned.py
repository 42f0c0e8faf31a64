"""Reason-code segments: each prediction's high-bucket profiles (customer_ai__reason_segment_buckets) grouped by
their whole explanation with k-means, named and identified by the factors that set each group apart
(customer_ai.segments). One row per profile in a reason segment."""


def model(dbt, session):
    dbt.config(materialized="table")
    import pyarrow as pa

    from customer_ai import engine, propensity_steps, segments

    warehouse = engine.of(session)
    predictions = propensity_steps.parse_predictions(dbt.config.get("predictions"))
    catalog = propensity_steps.FeatureCatalog.from_frame(warehouse.frame(dbt.ref("int_features_cataloged")))
    codes = dbt.ref("int_reason_codes_bucketed")
    tables = []
    for name, kind in predictions:
        for bucket in propensity_steps.json_setting(dbt.config.get("buckets")):
            frame = warehouse.frame(
                codes,
                columns=["profile_id", "factor_code", "contribution"],
                where=f"prediction_name = '{name}' and bucket = '{bucket}'",
            )
            members = segments.segment_members(
                frame,
                catalog.labels,
                name,
                kind,
                bucket,
                min_size=int(dbt.config.get("segment_min_size")),
                seed=int(dbt.config.get("model_seed")),
            )
            tables.append(pa.Table.from_pandas(members, schema=segments.MEMBERS_SCHEMA, preserve_index=False))
    return warehouse.table(pa.concat_tables(tables) if tables else segments.MEMBERS_SCHEMA.empty_table())
