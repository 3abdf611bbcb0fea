-- Every raw product row, cleaned, with its fate.
{%- set columns = [
    'product_id', 'name', 'category', 'price', 'url', 'image_url', 'manual_url', 'is_active'
] %}

{% set cleaned %}
select
    {{ clean_text('product_id') }} as product_id,
    {{ clean_text('name') }} as name,
    {{ clean_text('category') }} as category,
    cast(price as decimal(18, 2)) as price,
    {{ clean_text('url') }} as url,
    {{ clean_text('image_url') }} as image_url,
    {{ clean_text('manual_url') }} as manual_url,
    cast(is_active as {{ dbt.type_boolean() }}) as is_active
from {{ source('raw', 'products') }}
{% endset %}

with

keyed as (
    {{ flag_key_duplicates(cleaned, ['product_id'], columns, text_table='products') }}
),

{%- set checks = key_checks(['product_id'], 'keyed')
    + text_checks('products', 'keyed') %}

classified as (
    select
        {{- fate_select(columns, ['product_id'], 'keyed', checks) }}
    from keyed
)

select
    {{- base_output(columns) }}
