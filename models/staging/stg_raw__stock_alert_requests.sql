-- One row per usable back-in-stock request.
with

stock_alert_requests as (
    select * from {{ ref('base_raw__stock_alert_requests') }}
    where row_fate = 'staged'
),

final as (
    select
        request_id,
        email,
        contact_id,
        product_id,
        requested_at
    from stock_alert_requests
)

select * from final
