-- One row per stock level record (the log of stock per product).
with

stock_levels as (
    select * from {{ ref('base_raw__stock_levels') }}
    where row_fate = 'staged'
),

final as (
    select
        product_id,
        recorded_at,
        quantity_available
    from stock_levels
)

select * from final
