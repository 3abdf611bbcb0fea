-- The rule of this flow is its doc block flow_cross_sell_accessory, in the .md file beside
-- this one: it shows in the docs of this model and of audience_cross_sell_accessory.
with

order_lines as (
    select * from {{ ref('int_valid_order_lines') }}
    where contact_id is not null
),

products as (
    select * from {{ ref('stg_raw__products') }}
),

stock as (
    select * from {{ ref('int_product_stock') }}
),

accessory_relations as (
    select distinct product_id, related_product_id as accessory_id
    from {{ ref('stg_raw__product_relations') }}
    where relation_type = 'accessory'
),

owned as (
    select distinct contact_id, product_id
    from order_lines
),

bought as (
    select distinct contact_id, order_id, ordered_at, product_id
    from order_lines
    where days_ago = {{ var('cross_sell_purchase_offset_days') }}
),

qualifying_accessories as (
    select
        bought.contact_id,
        bought.order_id,
        bought.ordered_at,
        bought.product_id as bought_product_id,
        accessory_relations.accessory_id,
        accessories.price
    from bought
    inner join accessory_relations
        on bought.product_id = accessory_relations.product_id
    inner join products as accessories
        on accessory_relations.accessory_id = accessories.product_id
    inner join stock
        on accessory_relations.accessory_id = stock.product_id
    left join owned
        on
            bought.contact_id = owned.contact_id
            and accessory_relations.accessory_id = owned.product_id
    where
        coalesce(accessories.is_active, false)
        and stock.is_in_stock
        and owned.product_id is null
),

chosen_lines as (
    select contact_id, order_id, ordered_at, bought_product_id
    from (
        select
            contact_id,
            order_id,
            ordered_at,
            bought_product_id,
            row_number() over (
                partition by contact_id
                order by ordered_at desc, order_id asc, bought_product_id asc
            ) as line_rank
        from (
            select distinct contact_id, order_id, ordered_at, bought_product_id
            from qualifying_accessories
        ) as lines
    ) as ranked
    where line_rank = 1
),

ranked_products as (
    select
        chosen_lines.contact_id,
        qualifying_accessories.accessory_id as product_id,
        row_number() over (
            partition by chosen_lines.contact_id
            order by
                case when qualifying_accessories.price is null then 1 else 0 end asc,
                qualifying_accessories.price desc,
                qualifying_accessories.accessory_id asc
        ) as product_rank
    from chosen_lines
    inner join qualifying_accessories
        on
            chosen_lines.contact_id = qualifying_accessories.contact_id
            and chosen_lines.order_id = qualifying_accessories.order_id
            and chosen_lines.bought_product_id = qualifying_accessories.bought_product_id
),

top_products as (
    {{ pivot_products('ranked_products', ['contact_id'], 'cross_sell_accessory') }}
),

final as (
    select
        {{ trigger_columns('cross_sell_accessory', {
            'flow_step': '1',
            'contact_id': 'chosen_lines.contact_id',
            'trigger_at': 'chosen_lines.ordered_at',
            'trigger_ref': 'chosen_lines.order_id',
            'bought_product_id': 'chosen_lines.bought_product_id',
            'products': 'top_products',
        }) | indent(8) }}
    from chosen_lines
    inner join top_products
        on chosen_lines.contact_id = top_products.contact_id
)

select * from final
