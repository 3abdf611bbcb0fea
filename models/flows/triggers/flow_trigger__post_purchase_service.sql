-- The rule of this flow is its doc block flow_post_purchase_service, in the .md file beside
-- this one: it shows in the docs of this model and of audience_post_purchase_service.
with

delivered_orders as (
    select * from {{ ref('int_valid_orders') }}
    where
        contact_id is not null
        and delivered_at is not null
        and {{ days_ago('delivered_at') }} = {{ var('post_purchase_offset_days') }}
),

chosen_orders as (
    select *
    from (
        select
            *,
            row_number() over (
                partition by contact_id
                order by delivered_at desc, order_id asc
            ) as order_rank
        from delivered_orders
    ) as ranked
    where order_rank = 1
),

delivered_products as (
    select
        delivered_orders.contact_id,
        order_lines.product_id,
        max(delivered_orders.delivered_at) as delivered_at,
        min(delivered_orders.order_id) as order_id,
        min(order_lines.line_number) as line_number
    from delivered_orders
    inner join {{ ref('stg_raw__order_lines') }} as order_lines
        on delivered_orders.order_id = order_lines.order_id
    inner join {{ ref('stg_raw__products') }} as products
        on order_lines.product_id = products.product_id
    group by delivered_orders.contact_id, order_lines.product_id
),

ranked_products as (
    select
        contact_id,
        product_id,
        row_number() over (
            partition by contact_id
            order by delivered_at desc, order_id asc, line_number asc, product_id asc
        ) as product_rank
    from delivered_products
),

top_products as (
    {{ pivot_products('ranked_products', ['contact_id'], 'post_purchase_service') }}
),

final as (
    select
        {{ trigger_columns('post_purchase_service', {
            'flow_step': '1',
            'contact_id': 'chosen_orders.contact_id',
            'trigger_at': 'chosen_orders.delivered_at',
            'trigger_ref': 'chosen_orders.order_id',
            'products': 'top_products',
        }) | indent(8) }}
    from chosen_orders
    left join top_products
        on chosen_orders.contact_id = top_products.contact_id
)

select * from final
