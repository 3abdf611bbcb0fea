-- Every raw ESP suppression, cleaned, with its fate. Suppressions are kept for
-- erased addresses too: they protect the address. Identical rows collapse.
{%- set columns = ['email', 'reason', 'suppressed_at'] %}

{% set cleaned %}
select
    {{ normalise_email('email') }} as email,
    {{ clean_code('reason') }} as reason,
    cast(suppressed_at as {{ dbt.type_timestamp() }}) as suppressed_at
from {{ source('raw', 'esp_suppressions') }}
{% endset %}

with

erased_emails as (
    select distinct email from {{ ref('base_erased_emails') }}
),

keyed as (
    {{ flag_key_duplicates(cleaned, columns, columns) }}
),

{%- set quarantine_checks =
    key_checks(['email'], 'keyed')
    + required_checks(['suppressed_at'], 'keyed')
    + code_checks('esp_suppressions', ['reason'], 'keyed')
%}
{#- A suppression of an erased address stays staged (it protects the address); a
    row of it that would be quarantined protects nothing more, so it is erased. -#}
{%- set quarantined = [] %}
{%- for check in quarantine_checks %}{% do quarantined.append('(' ~ check[0] ~ ')') %}{% endfor %}
{%- set checks =
    [('erased_emails.email is not null and (' ~ quarantined | join(' or ') ~ ')', 'erased', 'null')]
    + quarantine_checks
%}

classified as (
    select
        {{- fate_select(columns, ['email', 'reason', 'suppressed_at'], 'keyed', checks) }}
    from keyed
    left join erased_emails
        on keyed.email = erased_emails.email
)

select
    {{- base_output(columns) }}
