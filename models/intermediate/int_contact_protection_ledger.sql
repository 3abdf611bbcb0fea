-- Every marketing opt-out, unsubscribe, hard bounce and spam complaint of a
-- contact ever seen, recorded the first time a build saw it and kept from then
-- on: a later delivery that lacks the consent event or the email event never
-- turns it back into consent or deliverability (append-only; `dbt build
-- --full-refresh` keeps it). An erased contact's rows are deleted.
--   opt_out         consent_events, channel 'email', purpose 'marketing'
--   unsubscribe     email 'unsubscribe' events of any email_type
--   hard_bounce, spam_complaint   email events
{{ config(
    post_hook="{{ delete_erased_contacts(this) }}",
    **ledger_model_config()
) }}
-- depends_on: {{ ref('base_erased_contacts') }}

with

opt_outs as (
    select contact_id, 'opt_out' as event_type, recorded_at as occurred_at
    from {{ ref('stg_raw__consent_events') }}
    where
        channel = 'email'
        and purpose = 'marketing'
        and status = 'opt_out'
),

email_events as (
    select contact_id, event_type, occurred_at
    from {{ ref('stg_raw__email_events') }}
    where event_type in ('unsubscribe', 'hard_bounce', 'spam_complaint')
),

seen as (
    select contact_id, event_type, occurred_at from opt_outs
    union
    select contact_id, event_type, occurred_at from email_events
),

-- What earlier builds recorded (nothing in the first build).
recorded as (
    {{ ledger_recorded(['contact_id', 'event_type', 'occurred_at'], 'seen') }}
),

new_rows as (
    select seen.contact_id, seen.event_type, seen.occurred_at
    from seen
    left join recorded
        on
            seen.contact_id = recorded.contact_id
            and seen.event_type = recorded.event_type
            and seen.occurred_at = recorded.occurred_at
    where recorded.contact_id is null
),

final as (
    select
        contact_id,
        event_type,
        occurred_at,
        {{ as_of_date() }} as first_seen_for,
        {{ ledger_recorded_at() }} as recorded_at
    from new_rows
    where contact_id is not null and occurred_at is not null
)

select * from final
