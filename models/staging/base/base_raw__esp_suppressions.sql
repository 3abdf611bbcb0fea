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

keyed as (
    {{ flag_key_duplicates(cleaned, columns, columns) }}
),

{%- set checks =
    key_checks(['email'], 'keyed')
    + required_checks(['suppressed_at'], 'keyed')
    + code_checks('esp_suppressions', ['reason'], 'keyed')
%}

classified as (
    select
        {{- fate_select(columns, ['email', 'reason', 'suppressed_at'], 'keyed', checks) }}
    from keyed
)

select
    {{- base_output(columns) }}
