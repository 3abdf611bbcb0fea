-- One row per relation between two products.
with

product_relations as (
    select * from {{ ref('base_raw__product_relations') }}
    where row_fate = 'staged'
),

final as (
    select
        product_id,
        related_product_id,
        relation_type
    from product_relations
)

select * from final
