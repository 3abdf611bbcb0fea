-- Stock of every product on D: the latest stock_levels record with days_ago
-- >= 0 (ties on recorded_at: the smallest quantity). No record: not in stock.
with

products as (
    select product_id from {{ ref('stg_raw__products') }}
),

stock_levels as (
    select
        product_id,
        recorded_at,
        quantity_available,
        row_number() over (
            partition by product_id
            order by recorded_at desc, quantity_available asc
        ) as record_rank
    from {{ ref('stg_raw__stock_levels') }}
    where cast(recorded_at as date) <= {{ as_of_date() }}
),

final as (
    select
        products.product_id,
        stock_levels.quantity_available,
        stock_levels.recorded_at as stock_recorded_at,
        coalesce(stock_levels.quantity_available > 0, false) as is_in_stock
    from products
    left join stock_levels
        on
            products.product_id = stock_levels.product_id
            and stock_levels.record_rank = 1
)

select * from final
