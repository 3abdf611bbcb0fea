-- Every raw order line, cleaned, with its fate. Lines of an erased contact's
-- orders are erased with them; lines whose order is not staged (unknown or
-- quarantined) are quarantined as unknown_order.
{%- set columns = ['order_id', 'line_number', 'product_id', 'quantity', 'unit_price'] %}

{% set cleaned %}
select
    {{ clean_text('order_id') }} as order_id,
    cast(line_number as {{ dbt.type_int() }}) as line_number,
    {{ clean_text('product_id') }} as product_id,
    cast(quantity as {{ dbt.type_int() }}) as quantity,
    cast(unit_price as decimal(18, 2)) as unit_price
from {{ source('raw', 'order_lines') }}
{% endset %}

with

-- The orders of erased contacts, read from the raw orders: base_raw__orders keeps
-- an erased order only as a tombstone, without its order_id.
erased_orders as (
    select distinct {{ clean_text('orders.order_id') }} as order_id
    from {{ source('raw', 'orders') }} as orders
    inner join {{ ref('base_erased_contacts') }} as erased_contacts
        on {{ clean_text('orders.contact_id') }} = erased_contacts.contact_id
),

staged_orders as (
    select order_id from {{ ref('stg_raw__orders') }}
),

keyed as (
    {{ flag_key_duplicates(cleaned, ['order_id', 'line_number'], columns, text_table='order_lines') }}
),

{%- set checks =
    [('erased_orders.order_id is not null', 'erased', 'null')]
    + key_checks(['order_id', 'line_number'], 'keyed')
    + text_checks('order_lines', 'keyed')
    + required_checks(['product_id'], 'keyed')
    + [('staged_orders.order_id is null', 'unknown_order', "'order_id = ' || keyed.order_id")]
%}

classified as (
    select
        {{- fate_select(columns, ['order_id', 'line_number'], 'keyed', checks) }}
    from keyed
    left join erased_orders
        on keyed.order_id = erased_orders.order_id
    left join staged_orders
        on keyed.order_id = staged_orders.order_id
)

select
    {{- base_output(columns) }}
