-- One row per line of a staged order.
with

order_lines as (
    select * from {{ ref('base_raw__order_lines') }}
    where row_fate = 'staged'
),

final as (
    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price
    from order_lines
)

select * from final
