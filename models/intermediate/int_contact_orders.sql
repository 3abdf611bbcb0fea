-- Order facts per customer (contacts with at least one valid order up to D).
-- Amounts are summed regardless of currency.
with

valid_orders as (
    select * from {{ ref('int_valid_orders') }}
    where contact_id is not null
),

final as (
    select
        contact_id,
        min(ordered_at) as first_valid_order_at,
        max(ordered_at) as last_valid_order_at,
        min(order_date) as first_valid_order_date,
        max(order_date) as last_valid_order_date,
        max(days_ago) as first_valid_order_days_ago,
        min(days_ago) as last_valid_order_days_ago,
        count(*) as valid_order_count,
        count(distinct order_date) as distinct_order_days,
        cast(sum(total_amount) as decimal(18, 2)) as net_revenue
    from valid_orders
    group by contact_id
)

select * from final
