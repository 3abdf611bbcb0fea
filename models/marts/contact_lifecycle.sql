-- The lifecycle stage of every contact on D, the first that matches:
-- customers (at least one valid order up to D), by their valid orders:
--   new_customer  exactly one valid order, placed <= 30 days ago
--   active        last valid order <= 89 days ago
--   at_risk       90 .. 179 days ago
--   lapsed        180 .. 364 days ago
--   lost          365 days ago or more
-- everyone else, by lead band and consent:
--   sales_ready (band sales_ready), mql (band hot), lead (band warm),
--   subscriber (marketing consent), prospect.
-- Thresholds are vars (lifecycle_*); stages are described in seed lifecycle_stages.
with

contacts as (
    select contact_id from {{ ref('stg_raw__contacts') }}
),

contact_orders as (
    select * from {{ ref('int_contact_orders') }}
),

lead_scores as (
    select * from {{ ref('contact_lead_scores') }}
),

consent as (
    select * from {{ ref('int_contact_consent') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

with_stage as (
    select
        contacts.contact_id,
        contact_orders.contact_id is not null as is_customer,
        coalesce(contact_orders.valid_order_count, 0) as valid_order_count,
        contact_orders.last_valid_order_days_ago,
        lead_scores.lead_band,
        consent.has_marketing_consent,
        case
            when
                contact_orders.valid_order_count = 1
                and contact_orders.last_valid_order_days_ago <= {{ var('lifecycle_new_customer_max_days') }}
                then 'new_customer'
            when contact_orders.last_valid_order_days_ago <= {{ var('lifecycle_active_max_days') }}
                then 'active'
            when contact_orders.last_valid_order_days_ago <= {{ var('lifecycle_at_risk_max_days') }}
                then 'at_risk'
            when contact_orders.last_valid_order_days_ago <= {{ var('lifecycle_lapsed_max_days') }}
                then 'lapsed'
            when contact_orders.contact_id is not null
                then 'lost'
            when lead_scores.lead_band = 'sales_ready' then 'sales_ready'
            when lead_scores.lead_band = 'hot' then 'mql'
            when lead_scores.lead_band = 'warm' then 'lead'
            when consent.has_marketing_consent then 'subscriber'
            else 'prospect'
        end as lifecycle_stage
    from contacts
    left join contact_orders
        on contacts.contact_id = contact_orders.contact_id
    left join lead_scores
        on contacts.contact_id = lead_scores.contact_id
    left join consent
        on contacts.contact_id = consent.contact_id
),

final as (
    select
        with_stage.contact_id,
        {{ as_of_date() }} as as_of_date,
        with_stage.lifecycle_stage,
        stages.stage_order,
        with_stage.is_customer,
        cast(with_stage.valid_order_count as {{ dbt.type_int() }}) as valid_order_count,
        cast(with_stage.last_valid_order_days_ago as {{ dbt.type_int() }}) as last_valid_order_days_ago,
        with_stage.lead_band,
        with_stage.has_marketing_consent
    from with_stage
    left join stages
        on with_stage.lifecycle_stage = stages.stage
)

select * from final
