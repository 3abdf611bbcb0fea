-- Valid orders of the run: status not 'cancelled' or 'returned', days_ago >= 0.
-- A customer is a contact with at least one valid order.
with

orders as (
    select * from {{ ref('stg_raw__orders') }}
    where
        status not in ('cancelled', 'returned')
        and cast(ordered_at as date) <= {{ as_of_date() }}
),

final as (
    select
        order_id,
        contact_id,
        ordered_at,
        cast(ordered_at as date) as order_date,
        {{ days_ago('ordered_at') }} as days_ago,
        status,
        delivered_at,
        total_amount,
        currency,
        channel
    from orders
)

select * from final
