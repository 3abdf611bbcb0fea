-- Every raw service interaction, cleaned, with its fate.
{%- set columns = [
    'interaction_id', 'contact_id', 'interaction_type', 'channel', 'opened_at',
    'closed_at', 'product_id'
] %}

{% set cleaned %}
select
    {{ clean_text('interaction_id') }} as interaction_id,
    {{ clean_text('contact_id') }} as contact_id,
    {{ clean_code('interaction_type') }} as interaction_type,
    {{ clean_code('channel') }} as channel,
    cast(opened_at as {{ dbt.type_timestamp() }}) as opened_at,
    cast(closed_at as {{ dbt.type_timestamp() }}) as closed_at,
    {{ clean_text('product_id') }} as product_id
from {{ source('raw', 'service_interactions') }}
{% endset %}

with

erased_contacts as (
    select contact_id from {{ ref('base_erased_contacts') }}
),

staged_contacts as (
    select contact_id from {{ ref('stg_raw__contacts') }}
),

keyed as (
    {{ flag_key_duplicates(cleaned, ['interaction_id'], columns, text_table='service_interactions') }}
),

{%- set checks =
    [('erased_contacts.contact_id is not null', 'erased', 'null')]
    + key_checks(['interaction_id'], 'keyed')
    + text_checks('service_interactions', 'keyed')
    + required_checks(['contact_id', 'opened_at'], 'keyed')
    + code_checks('service_interactions', ['interaction_type', 'channel'], 'keyed')
    + unknown_contact_check('keyed', 'staged_contacts')
%}

classified as (
    select
        {{- fate_select(columns, ['interaction_id'], 'keyed', checks) }}
    from keyed
    left join erased_contacts
        on keyed.contact_id = erased_contacts.contact_id
    left join staged_contacts
        on keyed.contact_id = staged_contacts.contact_id
)

select
    {{- base_output(columns) }}
