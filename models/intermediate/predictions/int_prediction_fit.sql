-- The fit of D: on DuckDB the Python model int_prediction_fit_python computed it in
-- this build; on PostgreSQL and Spark `followup predict` wrote it (followup build and
-- followup daily run it between the two halves of the build). No row for D fails the
-- build (data test int_prediction_fit_has_one_row_for_as_of_date).
with

fits as (
    {% if target.type == 'duckdb' %}
        select * from {{ ref('int_prediction_fit_python') }}
    {% else %}
        select * from {{ source('followup_state', 'prediction_fits') }}
        where fit_date = {{ as_of_date() }}
    {% endif %}
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        cast(time_unit as {{ dbt.type_string() }}) as time_unit,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(repeat_buyers as {{ dbt.type_bigint() }}) as repeat_buyers,
        cast(spend_customers as {{ dbt.type_bigint() }}) as spend_customers,
        cast(history_days as {{ dbt.type_bigint() }}) as history_days,
        cast(r as {{ type_double() }}) as r,
        cast(alpha as {{ type_double() }}) as alpha,
        cast(a as {{ type_double() }}) as a,
        cast(b as {{ type_double() }}) as b,
        cast(log_likelihood as {{ type_double() }}) as log_likelihood,
        cast(is_converged as {{ dbt.type_boolean() }}) as is_converged,
        cast(max_gradient as {{ type_double() }}) as max_gradient,
        cast(p as {{ type_double() }}) as p,
        cast(q as {{ type_double() }}) as q,
        cast(gamma as {{ type_double() }}) as gamma,
        cast(gg_log_likelihood as {{ type_double() }}) as gg_log_likelihood,
        cast(gg_is_converged as {{ dbt.type_boolean() }}) as gg_is_converged,
        cast(gg_max_gradient as {{ type_double() }}) as gg_max_gradient,
        cast(population_mean_spend as {{ type_double() }}) as population_mean_spend,
        cast(is_low_confidence as {{ dbt.type_boolean() }}) as is_low_confidence,
        cast(low_confidence_reason as {{ dbt.type_string() }}) as low_confidence_reason
    from fits
)

select * from final
