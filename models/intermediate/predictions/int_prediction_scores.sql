-- The scores of each customer on D: on DuckDB from the Python model
-- int_prediction_scores_python of this build; on PostgreSQL and Spark from the rows
-- `followup predict` wrote for D.
with

scores as (
    {% if target.type == 'duckdb' -%}
    select * from {{ ref('int_prediction_scores_python') }}
    {%- else -%}
    select * from {{ source('followup_state', 'prediction_scores') }}
    where fit_date = {{ as_of_date() }}
    {%- endif %}
),

final as (
    select
        cast(contact_id as {{ dbt.type_string() }}) as contact_id,
        {%- for column in [
            'probability_alive', 'expected_orders_short_horizon', 'expected_orders_long_horizon',
            'churn_probability', 'days_until_expected_order', 'expected_spend_per_order',
            'predicted_clv'
        ] %}
        cast({{ column }} as {{ type_double() }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from scores
)

select * from final
