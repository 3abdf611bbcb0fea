-- The rule of this flow is its doc block flow_back_in_stock, in the .md file beside
-- this one: it shows in the docs of this model and of audience_back_in_stock.
with

requests as (
    select
        requests.request_id,
        requests.contact_id,
        requests.product_id,
        requests.requested_at,
        coalesce(requests.email, contacts.email) as recipient_email
    from {{ ref('stg_raw__stock_alert_requests') }} as requests
    left join {{ ref('stg_raw__contacts') }} as contacts
        on requests.contact_id = contacts.contact_id
    where cast(requests.requested_at as date) <= {{ as_of_date() }}
),

restocks as (
    select * from {{ ref('int_product_restocks') }}
),

first_restocks as (
    select
        requests.request_id,
        min(restocks.restocked_at) as first_restock_at
    from requests
    inner join restocks
        on
            requests.product_id = restocks.product_id
            and requests.requested_at < restocks.restocked_at
    group by requests.request_id
),

answered as (
    select
        requests.*,
        first_restocks.first_restock_at,
        -- requests without any email are grouped per contact
        coalesce(requests.recipient_email, '#' || requests.contact_id) as recipient_key
    from requests
    inner join first_restocks
        on requests.request_id = first_restocks.request_id
    where {{ days_ago('first_restocks.first_restock_at') }} = {{ var('back_in_stock_offset_days') }}
),

chosen_requests as (
    select *
    from (
        select
            *,
            row_number() over (
                partition by recipient_key
                order by requested_at desc, request_id asc
            ) as request_rank
        from answered
    ) as ranked
    where request_rank = 1
),

product_requests as (
    select
        answered.recipient_key,
        answered.product_id,
        max(answered.requested_at) as latest_requested_at
    from answered
    inner join {{ ref('stg_raw__products') }} as products
        on answered.product_id = products.product_id
    group by answered.recipient_key, answered.product_id
),

ranked_products as (
    select
        recipient_key,
        product_id,
        row_number() over (
            partition by recipient_key
            order by latest_requested_at desc, product_id asc
        ) as product_rank
    from product_requests
),

top_products as (
    {{ pivot_products('ranked_products', ['recipient_key'], 'back_in_stock') }}
),

final as (
    select
        {{ trigger_columns('back_in_stock', {
            'flow_step': '1',
            'contact_id': 'chosen_requests.contact_id',
            'email': 'chosen_requests.recipient_email',
            'trigger_at': 'chosen_requests.first_restock_at',
            'trigger_ref': 'chosen_requests.request_id',
            'products': 'top_products',
        }) | indent(8) }}
    from chosen_requests
    inner join top_products
        on chosen_requests.recipient_key = top_products.recipient_key
)

select * from final
