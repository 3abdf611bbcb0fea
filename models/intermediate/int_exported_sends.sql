-- The mails `followup export` put on the email channel on an earlier day than D
-- that the ESP has not reported back as sent: one row per day, flow, step and
-- contact. A mail exported on day X counts as sent on X (for contact pressure
-- and cooldowns) until the ESP's 'sent' event of the same contact, flow and step
-- dated X to X + var exported_send_match_days arrives; from then on that event
-- counts instead, so a mail is counted once. An export of D itself is D's own
-- mail: it never holds back D's decisions (rebuilding D after its export gives
-- the same audiences). Only staged contacts: an erased person's rows are gone.
-- Only exports still within their flow's cooldown or the contact pressure window.
with

send_log as (
    select distinct as_of_date, flow_id, flow_step, contact_id
    from {{ ref('stg_followup_state__send_log') }}
    where
        channel = 'email'
        and contact_id is not null
        and as_of_date < {{ as_of_date() }}
),

contacts as (
    select contact_id from {{ ref('stg_raw__contacts') }}
),

flows as (
    select flow_id, category, cooldown_days from {{ ref('flows') }}
),

-- Only exports that a rule can still see: within the flow's cooldown or the
-- contact pressure window (older ones change no decision, and the send log
-- keeps every day).
exports as (
    select
        send_log.as_of_date,
        send_log.flow_id,
        send_log.flow_step,
        send_log.contact_id,
        flows.category,
        cast({{ dbt.dateadd('day', var('exported_send_match_days'), 'send_log.as_of_date') }} as date)
            as last_match_day
    from send_log
    inner join flows
        on send_log.flow_id = flows.flow_id
    where
        {{ days_between('send_log.as_of_date', as_of_date()) }}
        < greatest(coalesce(flows.cooldown_days, 0), {{ var('marketing_pressure_window_days') }})
),

esp_sends as (
    select contact_id, flow_id, flow_step, cast(sent_at as date) as sent_on
    from {{ ref('int_email_sends_all_time') }}
    where flow_id is not null
),

reported as (
    select distinct
        exports.as_of_date,
        exports.flow_id,
        exports.flow_step,
        exports.contact_id
    from exports
    inner join esp_sends
        on
            exports.contact_id = esp_sends.contact_id
            and exports.flow_id = esp_sends.flow_id
            and exports.flow_step = esp_sends.flow_step
            and exports.as_of_date <= esp_sends.sent_on
            and exports.last_match_day >= esp_sends.sent_on
),

final as (
    select
        exports.as_of_date,
        exports.flow_id,
        exports.flow_step,
        exports.contact_id,
        exports.category as email_type
    from exports
    inner join contacts
        on exports.contact_id = contacts.contact_id
    left join reported
        on
            exports.as_of_date = reported.as_of_date
            and exports.flow_id = reported.flow_id
            and exports.flow_step = reported.flow_step
            and exports.contact_id = reported.contact_id
    where reported.contact_id is null
)

select * from final
