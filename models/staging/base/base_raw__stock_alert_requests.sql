-- Every raw back-in-stock request, cleaned, with its fate. A request is erased
-- with its contact, or when its email is an erased email.
{%- set columns = ['request_id', 'email', 'contact_id', 'product_id', 'requested_at'] %}

{% set cleaned %}
select
    {{ clean_text('request_id') }} as request_id,
    {{ normalise_email('email') }} as email,
    {{ clean_text('contact_id') }} as contact_id,
    {{ clean_text('product_id') }} as product_id,
    cast(requested_at as {{ dbt.type_timestamp() }}) as requested_at
from {{ source('raw', 'stock_alert_requests') }}
{% endset %}

with

erased_contacts as (
    select contact_id from {{ ref('base_erased_contacts') }}
),

erased_emails as (
    select email from {{ ref('base_erased_emails') }}
),

staged_contacts as (
    select contact_id from {{ ref('stg_raw__contacts') }}
),

keyed as (
    {{ flag_key_duplicates(cleaned, ['request_id'], columns, text_table='stock_alert_requests') }}
),

{%- set checks =
    [
        ('erased_contacts.contact_id is not null', 'erased', 'null'),
        ('erased_emails.email is not null', 'erased', 'null'),
    ]
    + key_checks(['request_id'], 'keyed')
    + text_checks('stock_alert_requests', 'keyed')
    + required_checks(['product_id', 'requested_at'], 'keyed')
    + [('keyed.email is null and keyed.contact_id is null', 'missing_value', "'neither email nor contact_id'")]
    + unknown_contact_check('keyed', 'staged_contacts')
%}

classified as (
    select
        {{- fate_select(columns, ['request_id'], 'keyed', checks) }}
    from keyed
    left join erased_contacts
        on keyed.contact_id = erased_contacts.contact_id
    left join erased_emails
        on keyed.email = erased_emails.email
    left join staged_contacts
        on keyed.contact_id = staged_contacts.contact_id
)

select
    {{- base_output(columns) }}
