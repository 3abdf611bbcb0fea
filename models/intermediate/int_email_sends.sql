-- Sends up to D: one row per message_id with a 'sent' event, dated by the
-- message's earliest 'sent' event (days_ago >= 0). Contact pressure, cooldowns
-- and the campaign reminders count these. A view of int_email_sends_all_time.
{{ config(materialized='view') }}

with

send_log as (
    select * from {{ ref('int_email_sends_all_time') }}
    where cast(sent_at as date) <= {{ as_of_date() }}
),

final as (
    select
        message_id,
        contact_id,
        email_type,
        campaign_id,
        flow_id,
        flow_step,
        sent_at,
        {{ days_ago('sent_at') }} as days_ago
    from send_log
)

select * from final
