-- Predicted customer value on D: one row per customer (a non-erased contact with a
-- valid order dated on or before D), from the BG/NBD and Gamma-Gamma fits of D
-- (int_prediction_fit, int_prediction_scores). A public, contracted model; the rules
-- are in docs/semantics.md, "Predicted customer value".
with

customers as (
    select * from {{ ref('int_customer_purchase_summary') }}
),

scores as (
    select * from {{ ref('int_prediction_scores') }}
),

fits as (
    select * from {{ ref('int_prediction_fit') }}
),

churn_risk_bands as (
    select * from {{ ref('churn_risk_bands') }}
),

scored as (
    select
        customers.contact_id,
        customers.first_order_date,
        customers.last_order_date,
        customers.transactions,
        customers.repeat_transactions,
        customers.age_days,
        scores.probability_alive,
        scores.expected_orders_short_horizon,
        scores.expected_orders_long_horizon,
        scores.churn_probability,
        scores.expected_spend_per_order,
        scores.predicted_clv,
        cast(scores.days_until_expected_order as {{ dbt.type_int() }})
            as days_until_expected_order
    from customers
    left join scores on customers.contact_id = scores.contact_id
),

ranked as (
    select
        *,
        -- share of the customers whose CLV is at least this customer's (nulls apart)
        cume_dist() over (
            partition by predicted_clv is null order by predicted_clv desc
        ) as clv_rank_share
    from scored
),

-- the band with the highest threshold at or below the churn probability
band_orders as (
    select
        scored.contact_id,
        max(bands.band_order) as band_order
    from scored
    inner join churn_risk_bands as bands
        on scored.churn_probability >= bands.min_churn_probability
    group by scored.contact_id
),

final as (
    select
        ranked.contact_id,
        {{ as_of_date() }} as as_of_date,
        ranked.first_order_date,
        ranked.last_order_date,
        ranked.transactions,
        ranked.repeat_transactions,
        ranked.age_days,
        cast(ranked.probability_alive as {{ type_double() }}) as probability_alive,
        cast({{ var('prediction_short_horizon_days') }} as {{ dbt.type_int() }})
            as short_horizon_days,
        cast(ranked.expected_orders_short_horizon as {{ type_double() }})
            as expected_orders_short_horizon,
        cast({{ var('prediction_long_horizon_days') }} as {{ dbt.type_int() }})
            as long_horizon_days,
        cast(ranked.expected_orders_long_horizon as {{ type_double() }})
            as expected_orders_long_horizon,
        cast(ranked.churn_probability as {{ type_double() }}) as churn_probability,
        bands.churn_risk_band,
        cast(ranked.expected_spend_per_order as {{ type_double() }})
            as expected_spend_per_order,
        cast({{ var('prediction_clv_months') }} as {{ dbt.type_int() }}) as clv_months,
        cast(ranked.predicted_clv as {{ type_double() }}) as predicted_clv,
        cast(
            case when ranked.predicted_clv is not null then ranked.clv_rank_share end
            as {{ type_double() }}
        ) as clv_top_share,
        ranked.days_until_expected_order,
        cast(
            {{ dbt.dateadd('day', 'ranked.days_until_expected_order', as_of_date()) }} as date
        ) as expected_next_order_date,
        fits.is_low_confidence
    from ranked
    cross join fits
    left join band_orders on ranked.contact_id = band_orders.contact_id
    left join churn_risk_bands as bands on band_orders.band_order = bands.band_order
)

select * from final
