-- Every raw stock level record, cleaned, with its fate. Identical records
-- collapse; two different quantities at the same time are both kept (the rules
-- take the smallest).
{%- set columns = ['product_id', 'recorded_at', 'quantity_available'] %}

{% set cleaned %}
select
    {{ clean_text('product_id') }} as product_id,
    cast(recorded_at as {{ dbt.type_timestamp() }}) as recorded_at,
    cast(quantity_available as {{ dbt.type_int() }}) as quantity_available
from {{ source('raw', 'stock_levels') }}
{% endset %}

with

keyed as (
    {{ flag_key_duplicates(cleaned, columns, columns, text_table='stock_levels') }}
),

{%- set checks =
    key_checks(['product_id', 'recorded_at'], 'keyed')
    + text_checks('stock_levels', 'keyed')
    + required_checks(['quantity_available'], 'keyed')
%}

classified as (
    select
        {{- fate_select(columns, columns, 'keyed', checks) }}
    from keyed
)

select
    {{- base_output(columns) }}
