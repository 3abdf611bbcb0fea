-- The scores of each customer on D: on DuckDB from the Python model
-- int_prediction_scores_python of this build; on PostgreSQL and Spark from the rows
-- `followup predict` wrote for D.
with

scores as (
    {% if target.type == 'duckdb' %}
        select * from {{ ref('int_prediction_scores_python') }}
    {% else %}
        select * from {{ source('followup_state', 'prediction_scores') }}
        where fit_date = {{ as_of_date() }}
    {% endif %}
),

final as (
    select
        cast(contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(probability_alive as {{ type_double() }}) as probability_alive,
        cast(expected_orders_short_horizon as {{ type_double() }}) as expected_orders_short_horizon,
        cast(expected_orders_long_horizon as {{ type_double() }}) as expected_orders_long_horizon,
        cast(churn_probability as {{ type_double() }}) as churn_probability,
        cast(days_until_expected_order as {{ type_double() }}) as days_until_expected_order,
        cast(expected_spend_per_order as {{ type_double() }}) as expected_spend_per_order,
        cast(predicted_clv as {{ type_double() }}) as predicted_clv
    from scores
)

select * from final
