-- The rule of this flow is its doc block flow_customer_onboarding, in the .md file beside
-- this one: it shows in the docs of this model and of audience_customer_onboarding.
{%- set offsets = var('onboarding_step_offsets') %}

with

valid_orders as (
    select
        contact_id,
        order_id,
        ordered_at,
        days_ago,
        row_number() over (partition by contact_id order by ordered_at, order_id) as order_rank
    from {{ ref('int_valid_orders') }}
    where contact_id is not null
),

first_orders as (
    select
        contact_id,
        order_id,
        ordered_at,
        case days_ago
            {%- for offset in offsets %}
                when {{ offset }} then {{ loop.index }}
            {%- endfor %}
        end as flow_step
    from valid_orders
    where order_rank = 1
),

onboarding as (
    select * from first_orders
    where flow_step is not null
),

order_products as (
    select
        order_lines.order_id,
        order_lines.product_id,
        min(order_lines.line_number) as first_line_number
    from {{ ref('int_valid_order_lines') }} as order_lines
    inner join onboarding
        on order_lines.order_id = onboarding.order_id
    inner join {{ ref('stg_raw__products') }} as products
        on order_lines.product_id = products.product_id
    group by order_lines.order_id, order_lines.product_id
),

ranked_products as (
    select
        order_id,
        product_id,
        row_number() over (partition by order_id order by first_line_number, product_id) as product_rank
    from order_products
),

top_products as (
    {{ pivot_products('ranked_products', ['order_id'], 'customer_onboarding') }}
),

final as (
    select
        {{ trigger_columns('customer_onboarding', {
            'flow_step': 'onboarding.flow_step',
            'contact_id': 'onboarding.contact_id',
            'trigger_at': 'onboarding.ordered_at',
            'trigger_ref': 'onboarding.order_id',
            'products': 'top_products',
        }) | indent(8) }}
    from onboarding
    left join top_products
        on onboarding.order_id = top_products.order_id
)

select * from final
