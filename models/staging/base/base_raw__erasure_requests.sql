-- Every raw erasure request, cleaned, with its fate. Note that erasure itself
-- (base_erased_contacts, base_erased_emails) reads every raw request, also the
-- ones quarantined here: a malformed request still erases what it names.
{%- set columns = ['request_id', 'contact_id', 'email', 'requested_at'] %}

{% set cleaned %}
select
    {{ clean_text('request_id') }} as request_id,
    {{ clean_text('contact_id') }} as contact_id,
    {{ normalise_email('email') }} as email,
    cast(requested_at as {{ dbt.type_timestamp() }}) as requested_at
from {{ source('raw', 'erasure_requests') }}
{% endset %}

with

keyed as (
    {{ flag_key_duplicates(cleaned, ['request_id'], columns) }}
),

{%- set checks =
    key_checks(['request_id'], 'keyed')
    + [('keyed.email is null and keyed.contact_id is null', 'missing_value', "'neither email nor contact_id'")]
%}

classified as (
    select
        {{- fate_select(columns, ['request_id'], 'keyed', checks) }}
    from keyed
)

select
    {{- base_output(columns) }}
