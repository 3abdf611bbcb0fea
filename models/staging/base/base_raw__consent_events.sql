-- Every raw consent event, cleaned, with its fate. The log has no id: rows
-- identical in every column collapse into one.
{%- set columns = ['contact_id', 'channel', 'purpose', 'status', 'recorded_at', 'source'] %}

{% set cleaned %}
select
    {{ clean_text('contact_id') }} as contact_id,
    {{ clean_code('channel') }} as channel,
    {{ clean_code('purpose') }} as purpose,
    {{ clean_code('status') }} as status,
    cast(recorded_at as {{ dbt.type_timestamp() }}) as recorded_at,
    {{ clean_text('source') }} as source
from {{ source('raw', 'consent_events') }}
{% endset %}

with

erased_contacts as (
    select contact_id from {{ ref('base_erased_contacts') }}
),

staged_contacts as (
    select contact_id from {{ ref('stg_raw__contacts') }}
),

keyed as (
    {{ flag_key_duplicates(cleaned, columns, columns, text_table='consent_events') }}
),

{%- set checks =
    [('erased_contacts.contact_id is not null', 'erased', 'null')]
    + key_checks(['contact_id', 'recorded_at'], 'keyed')
    + text_checks('consent_events', 'keyed', "keyed.status = 'opt_out'")
    + code_checks('consent_events', ['channel', 'purpose', 'status'], 'keyed')
    + unknown_contact_check('keyed', 'staged_contacts')
%}

classified as (
    select
        {{- fate_select(columns, columns, 'keyed', checks) }}
    from keyed
    left join erased_contacts
        on keyed.contact_id = erased_contacts.contact_id
    left join staged_contacts
        on keyed.contact_id = staged_contacts.contact_id
)

select
    {{- base_output(columns) }}
