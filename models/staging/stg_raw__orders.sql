-- One row per usable order (any status, any date: rules filter by as_of_date).
with

orders as (
    select * from {{ ref('base_raw__orders') }}
    where row_fate = 'staged'
),

final as (
    select
        order_id,
        contact_id,
        ordered_at,
        status,
        delivered_at,
        total_amount,
        currency,
        channel
    from orders
)

select * from final
