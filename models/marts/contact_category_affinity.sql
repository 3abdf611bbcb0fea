-- How strongly each contact leans to each product category: the sum of decayed
-- signals (weight * 0.5 ^ (days_ago / var affinity_half_life_days)), weights
-- from seed affinity_weights:
--   product_view, add_to_cart   web events at recognition level 3 or 4
--   email_product_click         clicks on a product link in any email
--   purchase                    order lines of valid orders
-- Signals whose product has no category are left out.
with

web_events as (
    select * from {{ ref('int_web_events_recognised') }}
    where
        recognition_level >= 3
        and event_type in ('product_view', 'add_to_cart')
),

email_clicks as (
    select * from {{ ref('int_email_events') }}
    where
        is_click
        and product_id is not null
),

order_lines as (
    select * from {{ ref('int_valid_order_lines') }}
    where contact_id is not null
),

products as (
    select product_id, category from {{ ref('stg_raw__products') }}
),

weights as (
    select * from {{ ref('affinity_weights') }}
),

signals as (
    select contact_id, product_id, event_type as signal, days_ago
    from web_events
    union all
    select contact_id, product_id, 'email_product_click' as signal, days_ago
    from email_clicks
    union all
    select contact_id, product_id, 'purchase' as signal, days_ago
    from order_lines
),

weighted as (
    select
        signals.contact_id,
        products.category,
        signals.signal,
        {{ decayed('weights.weight', 'signals.days_ago', var('affinity_half_life_days')) }} as score
    from signals
    inner join products
        on signals.product_id = products.product_id
    inner join weights
        on signals.signal = weights.signal
    where products.category is not null
),

final as (
    select
        contact_id,
        category,
        {{ as_of_date() }} as as_of_date,
        cast(sum(score) as {{ type_double() }}) as affinity_score,
        cast(count(*) as {{ dbt.type_int() }}) as signal_count,
        cast(sum(case when signal = 'purchase' then 1 else 0 end) as {{ dbt.type_int() }}) as purchase_count
    from weighted
    group by contact_id, category
)

select * from final
