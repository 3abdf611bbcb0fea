-- Restocks up to D: moments a product became available again. The stock at a
-- moment is its record (ties at the same recorded_at: the smallest quantity); a
-- restock is a moment with quantity_available > 0 whose previous moment had
-- quantity_available <= 0, or that has no previous moment.
with

stock_moments as (
    select
        product_id,
        recorded_at,
        min(quantity_available) as quantity_available
    from {{ ref('stg_raw__stock_levels') }}
    where cast(recorded_at as date) <= {{ as_of_date() }}
    group by product_id, recorded_at
),

with_previous as (
    select
        product_id,
        recorded_at,
        quantity_available,
        lag(quantity_available) over (partition by product_id order by recorded_at) as previous_quantity
    from stock_moments
),

final as (
    select
        product_id,
        recorded_at as restocked_at,
        {{ days_ago('recorded_at') }} as days_ago,
        quantity_available
    from with_previous
    where
        quantity_available > 0
        and (previous_quantity is null or previous_quantity <= 0)
)

select * from final
