-- Every raw product relation, cleaned, with its fate. Identical rows collapse.
{%- set columns = ['product_id', 'related_product_id', 'relation_type'] %}

{% set cleaned %}
select
    {{ clean_text('product_id') }} as product_id,
    {{ clean_text('related_product_id') }} as related_product_id,
    {{ clean_code('relation_type') }} as relation_type
from {{ source('raw', 'product_relations') }}
{% endset %}

with

keyed as (
    {{ flag_key_duplicates(cleaned, columns, columns, text_table='product_relations') }}
),

{%- set checks =
    key_checks(['product_id', 'related_product_id'], 'keyed')
    + text_checks('product_relations', 'keyed')
    + code_checks('product_relations', ['relation_type'], 'keyed')
%}

classified as (
    select
        {{- fate_select(columns, ['product_id', 'related_product_id', 'relation_type'], 'keyed', checks) }}
    from keyed
)

select
    {{- base_output(columns) }}
