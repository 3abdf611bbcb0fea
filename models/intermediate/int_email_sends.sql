-- Sends up to D: one row per message_id with a 'sent' event, dated by the
-- message's earliest 'sent' event (days_ago >= 0). Contact pressure, cooldowns
-- and the campaign reminders count these.
with

sent_events as (
    select
        *,
        row_number() over (partition by message_id order by occurred_at, event_id) as sent_rank
    from {{ ref('int_email_events') }}
    where event_type = 'sent'
),

final as (
    select
        message_id,
        contact_id,
        email_type,
        campaign_id,
        flow_id,
        flow_step,
        occurred_at as sent_at,
        days_ago
    from sent_events
    where sent_rank = 1
)

select * from final
