"""What characterises each reason-code segment: per segment and factor, the mean contribution and the mean feature
value among its members against the rest of its bucket (customer_ai.segments.characteristics)."""


def model(dbt, session):
    dbt.config(materialized="table")
    import pyarrow as pa

    from customer_ai import engine, propensity_steps, segments

    warehouse = engine.of(session)
    predictions = propensity_steps.parse_predictions(dbt.config.get("predictions"))
    catalog = propensity_steps.FeatureCatalog.from_frame(warehouse.frame(dbt.ref("int_features_cataloged")))
    codes = dbt.ref("int_reason_codes_bucketed")
    assigned = warehouse.frame(dbt.ref("ml_reason_segments_assigned"))
    scoring_rows = dbt.ref("int_scoring_examples_joined")
    tables = []
    for name, _kind in predictions:
        for bucket in propensity_steps.json_setting(dbt.config.get("buckets")):
            members = assigned[(assigned["prediction_name"] == name) & (assigned["bucket"] == bucket)]
            if members.empty:
                continue
            frame = warehouse.frame(
                codes,
                columns=["profile_id", "factor_code", "contribution"],
                where=f"prediction_name = '{name}' and bucket = '{bucket}'",
            )
            factors = sorted(set(frame["factor_code"]) & set(catalog.names))
            # feature values of the prediction's scored profiles, only the factor columns
            features = warehouse.frame(
                scoring_rows, columns=["profile_id", *factors], where=f"prediction_name = '{name}'"
            )
            table = segments.characteristics(frame, members, features, catalog.labels)
            tables.append(pa.Table.from_pandas(table, schema=segments.CHARACTERISTICS_SCHEMA, preserve_index=False))
    return warehouse.table(pa.concat_tables(tables) if tables else segments.CHARACTERISTICS_SCHEMA.empty_table())
