-- Lines of valid orders, with the order's contact and date and the product's
-- category: what each contact bought, and when.
with

valid_orders as (
    select * from {{ ref('int_valid_orders') }}
),

order_lines as (
    select * from {{ ref('stg_raw__order_lines') }}
),

products as (
    select * from {{ ref('stg_raw__products') }}
),

final as (
    select
        order_lines.order_id,
        order_lines.line_number,
        valid_orders.contact_id,
        valid_orders.ordered_at,
        valid_orders.order_date,
        valid_orders.days_ago,
        valid_orders.delivered_at,
        order_lines.product_id,
        products.category,
        order_lines.quantity,
        order_lines.unit_price
    from order_lines
    inner join valid_orders
        on order_lines.order_id = valid_orders.order_id
    left join products
        on order_lines.product_id = products.product_id
)

select * from final
