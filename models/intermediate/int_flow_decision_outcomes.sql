-- One row per measured flow decision: a 'send' or 'holdout' decision for a contact
-- on a decision day of flow_uplift's period (the last uplift_period_days decision
-- days whose attribution window is complete on D), with the valid orders the
-- contact placed in the window: decision day .. decision day + window - 1. The
-- window is the same for both groups, so the groups are measured alike.
{%- set window_days = var('attribution_window_days') | int %}
{%- set period_days = var('uplift_period_days') | int %}
with

decisions as (
    select
        as_of_date as decision_date,
        flow_id,
        contact_id,
        decision
    from {{ ref('audience_decisions') }}
    where
        decision in ('send', 'holdout')
        and contact_id is not null
        and as_of_date >= {{ dbt.dateadd('day', -(period_days + window_days - 2), as_of_date()) }}
        and as_of_date <= {{ dbt.dateadd('day', -(window_days - 1), as_of_date()) }}
),

valid_orders as (
    select
        contact_id,
        order_date,
        total_amount
    from {{ ref('int_valid_orders') }}
),

outcomes as (
    select
        decisions.decision_date,
        decisions.flow_id,
        decisions.contact_id,
        decisions.decision,
        count(valid_orders.order_date) as orders_in_window,
        sum(valid_orders.total_amount) as revenue_in_window
    from decisions
    left join valid_orders
        on
            decisions.contact_id = valid_orders.contact_id
            and decisions.decision_date <= valid_orders.order_date
            and {{ dbt.dateadd('day', window_days - 1, 'decisions.decision_date') }}
            >= valid_orders.order_date
    group by
        decisions.decision_date,
        decisions.flow_id,
        decisions.contact_id,
        decisions.decision
),

final as (
    select
        decision_date,
        flow_id,
        contact_id,
        decision,
        cast({{ dbt.dateadd('day', window_days - 1, 'decision_date') }} as date) as window_end_date,
        cast(orders_in_window as {{ dbt.type_int() }}) as orders_in_window,
        orders_in_window > 0 as is_converted,
        cast(coalesce(revenue_in_window, 0) as decimal(18, 2)) as revenue_in_window
    from outcomes
)

select * from final
