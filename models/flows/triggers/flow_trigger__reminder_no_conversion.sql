-- The rule of this flow is its doc block flow_reminder_no_conversion, in the .md file beside
-- this one: it shows in the docs of this model and of audience_reminder_no_conversion.
with

clicks as (
    select clicks.*
    from {{ ref('int_email_events') }} as clicks
    inner join {{ ref('stg_raw__products') }} as products
        on clicks.product_id = products.product_id
    where
        clicks.is_click
        and clicks.email_type = 'marketing'
        and clicks.days_ago = {{ var('reminder_no_conversion_offset_days') }}
),

last_orders as (
    select contact_id, max(ordered_at) as last_valid_order_at
    from {{ ref('int_valid_orders') }}
    group by contact_id
),

unconverted as (
    select
        clicks.contact_id,
        clicks.event_id,
        clicks.product_id,
        clicks.occurred_at,
        row_number() over (
            partition by clicks.contact_id
            order by clicks.occurred_at desc, clicks.event_id asc
        ) as click_rank
    from clicks
    left join last_orders
        on clicks.contact_id = last_orders.contact_id
    where last_orders.last_valid_order_at is null or last_orders.last_valid_order_at < clicks.occurred_at
),

final as (
    select
        {{ trigger_columns('reminder_no_conversion', {
            'flow_step': '1',
            'contact_id': 'contact_id',
            'trigger_at': 'occurred_at',
            'trigger_ref': 'event_id',
            'product_1_id': 'product_id',
        }) | indent(8) }}
    from unconverted
    where click_rank = 1
)

select * from final
