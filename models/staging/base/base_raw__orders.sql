-- Every raw order row, cleaned, with its fate: staged, erased, or the reason it
-- is quarantined (see stg_quarantine). Orders in the future stay: every rule
-- ignores rows with days_ago < 0 for its own as_of_date.
{%- set columns = [
    'order_id', 'contact_id', 'ordered_at', 'status', 'delivered_at',
    'total_amount', 'currency', 'channel'
] %}

{% set cleaned %}
select
    {{ clean_text('order_id') }} as order_id,
    {{ clean_text('contact_id') }} as contact_id,
    cast(ordered_at as {{ dbt.type_timestamp() }}) as ordered_at,
    {{ clean_code('status') }} as status,
    cast(delivered_at as {{ dbt.type_timestamp() }}) as delivered_at,
    cast(total_amount as decimal(18, 2)) as total_amount,
    {{ clean_code('currency', 'upper') }} as currency,
    {{ clean_code('channel') }} as channel
from {{ source('raw', 'orders') }}
{% endset %}

with

erased_contacts as (
    select contact_id from {{ ref('base_erased_contacts') }}
),

staged_contacts as (
    select contact_id from {{ ref('stg_raw__contacts') }}
),

keyed as (
    {{ flag_key_duplicates(cleaned, ['order_id'], columns, text_table='orders') }}
),

{%- set checks =
    [('erased_contacts.contact_id is not null', 'erased', 'null')]
    + key_checks(['order_id'], 'keyed')
    + text_checks('orders', 'keyed')
    + required_checks(['ordered_at', 'total_amount'], 'keyed')
    + code_checks('orders', ['status', 'channel'], 'keyed')
    + [('keyed.total_amount < 0', 'negative_amount', "'total_amount = ' || cast(keyed.total_amount as " ~ dbt.type_string() ~ ")")]
    + unknown_contact_check('keyed', 'staged_contacts')
%}

classified as (
    select
        {{- fate_select(columns, ['order_id'], 'keyed', checks) }}
    from keyed
    left join erased_contacts
        on keyed.contact_id = erased_contacts.contact_id
    left join staged_contacts
        on keyed.contact_id = staged_contacts.contact_id
)

select
    {{- base_output(columns) }}
