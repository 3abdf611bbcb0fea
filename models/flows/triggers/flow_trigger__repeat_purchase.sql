-- The rule of this flow is its doc block flow_repeat_purchase, in the .md file beside
-- this one: it shows in the docs of this model and of audience_repeat_purchase.
with

contact_orders as (
    select
        contact_id,
        last_valid_order_at,
        distinct_order_days,
        last_valid_order_days_ago as days_since_last,
        {{ days_between('first_valid_order_date', 'last_valid_order_date') }} as order_span_days
    from {{ ref('int_contact_orders') }}
    where distinct_order_days >= 2
),

due as (
    select * from contact_orders
    where
        days_since_last * (distinct_order_days - 1) >= order_span_days
        and days_since_last < {{ var('repeat_purchase_max_days') }}
),

final as (
    select
        {{ trigger_columns('repeat_purchase', {
            'flow_step': '1',
            'contact_id': 'contact_id',
            'trigger_at': 'last_valid_order_at',
            'expected_gap_days': int_div('order_span_days', 'distinct_order_days - 1'),
        }) | indent(8) }}
    from due
)

select * from final
