-- The rule of this flow is its doc block flow_abandoned_cart, in the .md file beside
-- this one: it shows in the docs of this model and of audience_abandoned_cart.
with

cart_events as (
    select contact_id, event_type, product_id, occurred_at
    from {{ ref('int_web_events_recognised') }}
    where
        recognition_level >= 3
        and event_type in ('add_to_cart', 'remove_from_cart')
),

products as (
    select product_id, price from {{ ref('stg_raw__products') }}
),

last_orders as (
    select contact_id, max(ordered_at) as last_valid_order_at
    from {{ ref('int_valid_orders') }}
    group by contact_id
),

latest_adds as (
    select contact_id, max(occurred_at) as latest_add_at
    from cart_events
    where event_type = 'add_to_cart'
    group by contact_id
),

abandoning_contacts as (
    select
        latest_adds.contact_id,
        latest_adds.latest_add_at,
        last_orders.last_valid_order_at
    from latest_adds
    left join last_orders
        on latest_adds.contact_id = last_orders.contact_id
    where
        {{ days_ago('latest_adds.latest_add_at') }} = {{ var('abandoned_cart_offset_days') }}
        and (
            last_orders.last_valid_order_at is null
            or last_orders.last_valid_order_at < latest_adds.latest_add_at
        )
),

product_moves as (
    select
        contact_id,
        product_id,
        max(case when event_type = 'add_to_cart' then occurred_at end) as latest_add_at,
        max(case when event_type = 'remove_from_cart' then occurred_at end) as latest_remove_at
    from cart_events
    where product_id is not null
    group by contact_id, product_id
),

cart_products as (
    select
        product_moves.contact_id,
        product_moves.product_id,
        product_moves.latest_add_at,
        products.price
    from product_moves
    inner join abandoning_contacts
        on product_moves.contact_id = abandoning_contacts.contact_id
    inner join products
        on product_moves.product_id = products.product_id
    where
        {{ days_ago('product_moves.latest_add_at') }}
        between {{ var('abandoned_cart_offset_days') }} and {{ var('abandoned_cart_window_days') }}
        and (
            abandoning_contacts.last_valid_order_at is null
            or product_moves.latest_add_at > abandoning_contacts.last_valid_order_at
        )
        and (
            product_moves.latest_remove_at is null
            or product_moves.latest_remove_at <= product_moves.latest_add_at
        )
),

ranked_products as (
    select
        contact_id,
        product_id,
        row_number() over (partition by contact_id order by latest_add_at desc, product_id asc) as product_rank
    from cart_products
),

carts as (
    select
        contact_id,
        count(*) as cart_item_count,
        sum(price) as cart_value
    from cart_products
    group by contact_id
),

top_products as (
    {{ pivot_products('ranked_products', ['contact_id'], 'abandoned_cart') }}
),

final as (
    select
        {{ trigger_columns('abandoned_cart', {
            'flow_step': '1',
            'contact_id': 'abandoning_contacts.contact_id',
            'trigger_at': 'abandoning_contacts.latest_add_at',
            'products': 'top_products',
            'cart_item_count': 'carts.cart_item_count',
            'cart_value': 'carts.cart_value',
        }) | indent(8) }}
    from abandoning_contacts
    inner join carts
        on abandoning_contacts.contact_id = carts.contact_id
    inner join top_products
        on abandoning_contacts.contact_id = top_products.contact_id
)

select * from final
