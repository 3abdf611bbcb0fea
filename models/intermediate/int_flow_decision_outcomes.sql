-- One row per measured (flow, contact): the contact's first 'send' or 'holdout'
-- decision for the flow (their entry), when it falls on a decision day of
-- flow_uplift's period (the last uplift_period_days decision days whose attribution
-- window is complete on D), with the valid orders the contact placed in the window:
-- entry day .. entry day + window - 1. Counting each contact once, at entry, keeps
-- the groups alike: a held-out contact is not mailed, so no cooldown stops their
-- trigger and they are decided again day after day (mostly those who do not order),
-- while a sent contact waits out the cooldown. The holdout bucket of a (flow, contact)
-- never changes, so a contact stays in one group.
{%- set window_days = var('attribution_window_days') | int %}
with

decisions as (
    select
        as_of_date,
        flow_id,
        contact_id,
        decision
    from {{ ref('audience_decisions') }}
    where
        decision in ('send', 'holdout')
        and contact_id is not null
),

entries as (
    select
        as_of_date as decision_date,
        flow_id,
        contact_id,
        decision,
        row_number() over (
            partition by flow_id, contact_id
            order by as_of_date, decision
        ) as decision_rank
    from decisions
),

measured_entries as (
    select
        decision_date,
        flow_id,
        contact_id,
        decision
    from entries
    where
        decision_rank = 1
        and decision_date >= {{ uplift_period_start() }}
        and decision_date <= {{ uplift_period_end() }}
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
        measured_entries.decision_date,
        measured_entries.flow_id,
        measured_entries.contact_id,
        measured_entries.decision,
        count(valid_orders.order_date) as orders_in_window,
        sum(valid_orders.total_amount) as revenue_in_window
    from measured_entries
    left join valid_orders
        on
            measured_entries.contact_id = valid_orders.contact_id
            and measured_entries.decision_date <= valid_orders.order_date
            and {{ dbt.dateadd('day', window_days - 1, 'measured_entries.decision_date') }}
            >= valid_orders.order_date
    group by
        measured_entries.decision_date,
        measured_entries.flow_id,
        measured_entries.contact_id,
        measured_entries.decision
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
