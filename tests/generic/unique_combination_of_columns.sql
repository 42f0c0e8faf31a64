{#- The combination of the given columns is unique: the primary key test of models with a composite grain.
    Counted by a 64-bit hash of the combination first (customer_ai_repeated_keys): grouping tens of millions of rows
    by a number instead of by text and dates makes the aggregate smaller (not small: BENCHMARKS.md). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{{ customer_ai_repeated_keys(model, combination_of_columns) }}

{% endtest %}
