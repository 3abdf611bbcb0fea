-- Marketing consent of every contact on D: the latest of
--   (a) consent_events for channel 'email' and purpose 'marketing',
--   (b) email 'unsubscribe' events of any email_type (an opt-out),
--   (c) esp_suppressions with reason 'unsubscribe' for the contact's normalised
--       email (an opt-out at suppressed_at).
-- A tie at the identical second resolves to opt-out; no row means no consent.
-- Opt-outs, unsubscribes and ESP unsubscribes come from the ledgers
-- (int_contact_protection_ledger, int_esp_suppressions): once seen, an opt-out
-- holds even if a later delivery lacks it; only a newer opt-in undoes it.
-- first_opt_in_at is the earliest opt-in ever (the welcome flow counts from it).
with

contacts as (
    select contact_id, email from {{ ref('stg_raw__contacts') }}
),

consent_events as (
    select contact_id, status, recorded_at
    from {{ ref('stg_raw__consent_events') }}
    where
        channel = 'email'
        and purpose = 'marketing'
        and cast(recorded_at as date) <= {{ as_of_date() }}
),

opt_ins as (
    select contact_id, recorded_at
    from consent_events
    where status = 'opt_in'
),

protection as (
    select contact_id, event_type, occurred_at
    from {{ ref('int_contact_protection_ledger') }}
    where
        event_type in ('opt_out', 'unsubscribe')
        and cast(occurred_at as date) <= {{ as_of_date() }}
),

esp_unsubscribes as (
    select email, suppressed_at
    from {{ ref('int_esp_suppressions') }}
    where reason = 'unsubscribe'
),

consent_changes as (
    select contact_id, 'opt_in' as status, recorded_at as changed_at, 'consent_event' as change_source
    from opt_ins
    union all
    select
        contact_id,
        'opt_out' as status,
        occurred_at as changed_at,
        case when event_type = 'opt_out' then 'consent_event' else 'esp_unsubscribe_event' end as change_source
    from protection
    union all
    select
        contacts.contact_id,
        'opt_out' as status,
        esp_unsubscribes.suppressed_at as changed_at,
        'esp_suppression_list' as change_source
    from esp_unsubscribes
    inner join contacts
        on esp_unsubscribes.email = contacts.email
),

ranked as (
    select
        contact_id,
        status,
        changed_at,
        change_source,
        row_number() over (
            partition by contact_id
            order by changed_at desc, case when status = 'opt_out' then 0 else 1 end, change_source asc
        ) as change_rank
    from consent_changes
),

first_opt_ins as (
    select contact_id, min(recorded_at) as first_opt_in_at
    from opt_ins
    group by contact_id
),

final as (
    select
        contacts.contact_id,
        coalesce(latest.status, 'none') as consent_status,
        coalesce(latest.status = 'opt_in', false) as has_marketing_consent,
        latest.changed_at as consent_changed_at,
        latest.change_source as consent_source,
        first_opt_ins.first_opt_in_at
    from contacts
    left join ranked as latest
        on
            contacts.contact_id = latest.contact_id
            and latest.change_rank = 1
    left join first_opt_ins
        on contacts.contact_id = first_opt_ins.contact_id
)

select * from final
