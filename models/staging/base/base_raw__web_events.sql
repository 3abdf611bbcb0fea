-- Every raw web event, cleaned, with its fate. contact_id is set only while the
-- visitor is logged in; anonymous events keep a null contact_id. Incremental on
-- DuckDB and PostgreSQL like base_raw__email_events (macros/incremental.sql).
{{ config(
    post_hook="{{ refresh_contact_fates(this, ['event_id', 'visitor_id', 'session_id', 'contact_id', 'is_logged_in', 'event_type', 'page_type', 'product_id', 'occurred_at', 'url']) }}",
    **event_base_config()
) }}
{%- set columns = [
    'event_id', 'visitor_id', 'session_id', 'contact_id', 'is_logged_in', 'event_type',
    'page_type', 'product_id', 'occurred_at', 'url'
] %}

{% set cleaned %}
select
    {{ clean_text('event_id') }} as event_id,
    {{ clean_text('visitor_id') }} as visitor_id,
    {{ clean_text('session_id') }} as session_id,
    {{ clean_text('contact_id') }} as contact_id,
    cast(is_logged_in as {{ dbt.type_boolean() }}) as is_logged_in,
    {{ clean_code('event_type') }} as event_type,
    {{ clean_code('page_type') }} as page_type,
    {{ clean_text('product_id') }} as product_id,
    cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
    {{ clean_text('url') }} as url
from {{ source('raw', 'web_events') }}{{ incremental_event_filter('occurred_at') }}
{% endset %}

with

erased_contacts as (
    select contact_id from {{ ref('base_erased_contacts') }}
),

staged_contacts as (
    select contact_id from {{ ref('stg_raw__contacts') }}
),

keyed as (
    {{ flag_key_duplicates(cleaned, ['event_id'], columns, text_table='web_events') }}
),

earlier_rows as (
    {{ earlier_duplicates_cte('event_id', columns) }}
),

{%- set checks =
    [('erased_contacts.contact_id is not null', 'erased', 'null')]
    + key_checks(['event_id'], 'keyed')
    + text_checks('web_events', 'keyed')
    + earlier_duplicate_checks('keyed', columns)
    + required_checks(['visitor_id', 'occurred_at'], 'keyed')
    + code_checks('web_events', ['event_type', 'page_type'], 'keyed', optional=['page_type'])
    + unknown_contact_check('keyed', 'staged_contacts')
%}

classified as (
    select
        {{- fate_select(columns, ['event_id'], 'keyed', checks) }},
        coalesce(cast(keyed.occurred_at as date), {{ unknown_date() }}) as occurred_on,
        {{ current_run_id() }} as processed_by
    from keyed
    left join erased_contacts
        on keyed.contact_id = erased_contacts.contact_id
    left join staged_contacts
        on keyed.contact_id = staged_contacts.contact_id
    left join earlier_rows
        on keyed.event_id = earlier_rows.event_id
)

select
    {{- base_output(columns, extra_columns=['occurred_on', 'processed_by']) }}
