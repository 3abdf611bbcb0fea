-- Per send day, flow and step: what happened to the follow-up mails, from the
-- email events that carry the flow's id and step. Each message counts once per
-- outcome (a mail opened three times is one opened mail). The send day is the
-- day of the message's 'sent' event (its first event if the ESP reported no
-- 'sent'). Opens are real opens: machine opens of privacy proxies are left out.
-- Events without a message_id cannot be told apart and are left out; events
-- without a step count as step 0.
with

events as (
    select
        message_id,
        flow_id,
        flow_step,
        event_type,
        occurred_at,
        is_real_open,
        is_click
    from {{ ref('int_email_events') }}
    where
        flow_id is not null
        and message_id is not null
),

messages as (
    select
        message_id,
        flow_id,
        flow_step,
        cast(coalesce(
            min(case when event_type = 'sent' then occurred_at end), min(occurred_at)
        ) as date) as send_date,
        max(case when event_type = 'sent' then 1 else 0 end) as is_sent,
        max(case when event_type = 'delivered' then 1 else 0 end) as is_delivered,
        max(case when event_type in ('hard_bounce', 'soft_bounce') then 1 else 0 end) as is_bounced,
        max(case when is_real_open then 1 else 0 end) as is_opened,
        max(case when is_click then 1 else 0 end) as is_clicked,
        max(case when event_type = 'unsubscribe' then 1 else 0 end) as is_unsubscribed,
        max(case when event_type = 'spam_complaint' then 1 else 0 end) as is_complained
    from events
    group by message_id, flow_id, flow_step
),

per_day as (
    select
        send_date,
        flow_id,
        flow_step,
        sum(is_sent) as sent,
        sum(is_delivered) as delivered,
        sum(is_bounced) as bounced,
        sum(is_opened) as opened,
        sum(is_clicked) as clicked,
        sum(is_unsubscribed) as unsubscribed,
        sum(is_complained) as complained
    from messages
    group by send_date, flow_id, flow_step
),

final as (
    select
        send_date,
        flow_id,
        cast(coalesce(flow_step, 0) as {{ dbt.type_int() }}) as flow_step,
        {{ engagement_counts_and_rates() }}
    from per_day
)

select * from final
