-- Uplift of each follow-up flow: conversion within 7 days of the decision date
-- (a valid order with order_date in [decision date, decision date + 6]) of the
-- recipients who were sent the mail versus those held out as a control group.
--
-- Compile and run it for the latest day whose 7-day window is complete, e.g.
--   dbt compile --select flow_uplift --vars '{as_of_date: "2026-06-22"}'
--   then run target/compiled/followup/analyses/flow_uplift.sql in your SQL tool.
-- Only orders up to as_of_date are visible; rows whose window is not complete
-- yet are flagged (window_complete = false).
with

decisions as (
    select * from {{ ref('audience_decisions') }}
    where
        decision in ('send', 'holdout')
        and contact_id is not null
),

valid_orders as (
    select contact_id, order_date from {{ ref('int_valid_orders') }}
),

outcomes as (
    select
        decisions.as_of_date,
        decisions.flow_id,
        decisions.decision,
        decisions.contact_id,
        max(case when valid_orders.contact_id is not null then 1 else 0 end) as converted
    from decisions
    left join valid_orders
        on
            decisions.contact_id = valid_orders.contact_id
            and valid_orders.order_date >= decisions.as_of_date
            and valid_orders.order_date <= {{ dbt.dateadd('day', 6, 'decisions.as_of_date') }}
    group by decisions.as_of_date, decisions.flow_id, decisions.decision, decisions.contact_id
),

per_flow as (
    select
        as_of_date,
        flow_id,
        sum(case when decision = 'send' then 1 else 0 end) as sent,
        sum(case when decision = 'send' then converted else 0 end) as sent_converted,
        sum(case when decision = 'holdout' then 1 else 0 end) as held_out,
        sum(case when decision = 'holdout' then converted else 0 end) as held_out_converted
    from outcomes
    group by as_of_date, flow_id
),

final as (
    select
        as_of_date,
        flow_id,
        sent,
        sent_converted,
        held_out,
        held_out_converted,
        case when sent > 0 then cast(sent_converted as {{ type_double() }}) / sent end as sent_conversion_rate,
        case
            when held_out > 0 then cast(held_out_converted as {{ type_double() }}) / held_out
        end as holdout_conversion_rate,
        case
            when sent > 0 and held_out > 0
                then cast(sent_converted as {{ type_double() }}) / sent
                - cast(held_out_converted as {{ type_double() }}) / held_out
        end as uplift,
        {{ dbt.dateadd('day', 6, 'as_of_date') }} <= {{ as_of_date() }} as window_complete
    from per_flow
)

select * from final
order by as_of_date, flow_id
