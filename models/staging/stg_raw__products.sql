-- One row per product of the catalogue.
with

products as (
    select * from {{ ref('base_raw__products') }}
    where row_fate = 'staged'
),

final as (
    select
        product_id,
        name,
        category,
        price,
        url,
        image_url,
        manual_url,
        is_active
    from products
)

select * from final
