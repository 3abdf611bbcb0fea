-- The rule of this flow is its doc block flow_browse_abandonment, in the .md file beside
-- this one: it shows in the docs of this model and of audience_browse_abandonment.
with

web_events as (
    select * from {{ ref('int_web_events_recognised') }}
    where recognition_level >= 3
),

products as (
    select product_id from {{ ref('stg_raw__products') }}
),

views as (
    select
        web_events.contact_id,
        web_events.product_id,
        web_events.occurred_at
    from web_events
    inner join products
        on web_events.product_id = products.product_id
    where
        web_events.event_type = 'product_view'
        and web_events.days_ago = {{ var('browse_abandonment_offset_days') }}
),

browsers as (
    select contact_id, min(occurred_at) as first_view_at
    from views
    group by contact_id
),

last_adds as (
    select contact_id, max(occurred_at) as last_add_at
    from web_events
    where event_type = 'add_to_cart'
    group by contact_id
),

last_orders as (
    select contact_id, max(ordered_at) as last_valid_order_at
    from {{ ref('int_valid_orders') }}
    group by contact_id
),

abandoned as (
    select
        browsers.contact_id,
        browsers.first_view_at
    from browsers
    left join last_adds
        on browsers.contact_id = last_adds.contact_id
    left join last_orders
        on browsers.contact_id = last_orders.contact_id
    where
        (last_adds.last_add_at is null or last_adds.last_add_at < browsers.first_view_at)
        and (last_orders.last_valid_order_at is null or last_orders.last_valid_order_at < browsers.first_view_at)
),

product_views as (
    select
        contact_id,
        product_id,
        count(*) as view_count,
        max(occurred_at) as latest_view_at
    from views
    group by contact_id, product_id
),

ranked_products as (
    select
        contact_id,
        product_id,
        row_number() over (
            partition by contact_id
            order by view_count desc, latest_view_at desc, product_id asc
        ) as product_rank
    from product_views
),

final as (
    select
        {{ trigger_columns('browse_abandonment', {
            'flow_step': '1',
            'contact_id': 'abandoned.contact_id',
            'trigger_at': 'abandoned.first_view_at',
            'product_1_id': 'ranked_products.product_id',
        }) | indent(8) }}
    from abandoned
    inner join ranked_products
        on
            abandoned.contact_id = ranked_products.contact_id
            and ranked_products.product_rank = 1
)

select * from final
