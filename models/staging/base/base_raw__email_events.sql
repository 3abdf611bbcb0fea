-- Every raw email event, cleaned, with its fate. Incremental on DuckDB and
-- PostgreSQL: a daily run reprocesses the events of the last
-- var('incremental_lookback_days') days and brings older rows' fates up to date
-- (macros/incremental.sql); --full-refresh gives the same rows.
{{ config(
    post_hook="{{ refresh_contact_fates(this, ['event_id', 'message_id', 'contact_id', 'email_type', 'campaign_id', 'flow_id', 'flow_step', 'event_type', 'occurred_at', 'url', 'product_id', 'is_machine_open']) }}",
    **event_base_config()
) }}
{%- set columns = [
    'event_id', 'message_id', 'contact_id', 'email_type', 'campaign_id', 'flow_id',
    'flow_step', 'event_type', 'occurred_at', 'url', 'product_id', 'is_machine_open'
] %}

{% set cleaned %}
select
    {{ clean_text('event_id') }} as event_id,
    {{ clean_text('message_id') }} as message_id,
    {{ clean_text('contact_id') }} as contact_id,
    {{ clean_code('email_type') }} as email_type,
    {{ clean_text('campaign_id') }} as campaign_id,
    {{ clean_text('flow_id') }} as flow_id,
    cast(flow_step as {{ dbt.type_int() }}) as flow_step,
    {{ clean_code('event_type') }} as event_type,
    cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
    {{ clean_text('url') }} as url,
    {{ clean_text('product_id') }} as product_id,
    cast(is_machine_open as {{ dbt.type_boolean() }}) as is_machine_open
from {{ source('raw', 'email_events') }}{{ incremental_event_filter('occurred_at') }}
{% endset %}

with

erased_contacts as (
    select contact_id from {{ ref('base_erased_contacts') }}
),

staged_contacts as (
    select contact_id from {{ ref('stg_raw__contacts') }}
),

keyed as (
    {{ flag_key_duplicates(cleaned, ['event_id'], columns, text_table='email_events') }}
),

earlier_rows as (
    {{ earlier_duplicates_cte('event_id', columns) }}
),

{%- set checks =
    [('erased_contacts.contact_id is not null', 'erased', 'null')]
    + key_checks(['event_id'], 'keyed')
    + text_checks('email_events', 'keyed', "keyed.event_type in ('unsubscribe', 'hard_bounce', 'spam_complaint')")
    + earlier_duplicate_checks('keyed', columns)
    + required_checks(['message_id', 'contact_id', 'occurred_at'], 'keyed')
    + code_checks('email_events', ['email_type', 'event_type'], 'keyed')
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
