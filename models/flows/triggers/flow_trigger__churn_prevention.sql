-- The rule of this flow is its doc block flow_churn_prevention, in the .md file beside
-- this one: it shows in the docs of this model and of audience_churn_prevention.
with

predictions as (
    select * from {{ ref('contact_predictions') }}
    where
        not is_low_confidence
        and predicted_clv > 0
        and clv_top_share <= cast({{ var('churn_prevention_clv_top_share') }} as {{ type_double() }})
        and probability_alive
        < cast({{ var('churn_prevention_max_probability_alive') }} as {{ type_double() }})
),

contact_orders as (
    select * from {{ ref('int_contact_orders') }}
    where last_valid_order_days_ago < {{ var('reactivation_min_days') }}
),

at_risk as (
    select
        contact_orders.contact_id,
        contact_orders.last_valid_order_at
    from predictions
    inner join contact_orders
        on predictions.contact_id = contact_orders.contact_id
),

final as (
    select
        {{ trigger_columns('churn_prevention', {
            'flow_step': '1',
            'contact_id': 'contact_id',
            'trigger_at': 'last_valid_order_at',
        }) | indent(8) }}
    from at_risk
)

select * from final
