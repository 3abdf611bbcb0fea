-- Suppression of every contact on D: the contact's normalised email is on the
-- ESP suppression list with a reason other than 'unsubscribe', or the contact
-- had a hard bounce or spam complaint (days_ago >= 0). suppression_reason is
-- the first thing that suppressed the contact (ties: by reason name). Both
-- come from ledgers: a suppression, bounce or complaint once seen holds even if
-- a later delivery lacks it (int_esp_suppressions, int_contact_protection_ledger).
with

contacts as (
    select contact_id, email from {{ ref('stg_raw__contacts') }}
),

bounces_and_complaints as (
    select contact_id, event_type as reason, occurred_at as suppressed_at
    from {{ ref('int_contact_protection_ledger') }}
    where
        event_type in ('hard_bounce', 'spam_complaint')
        and cast(occurred_at as date) <= {{ as_of_date() }}
),

esp_suppressions as (
    select email, 'esp_' || reason as reason, suppressed_at
    from {{ ref('int_esp_suppressions') }}
    where reason <> 'unsubscribe'
),

suppressions as (
    select contact_id, reason, suppressed_at
    from bounces_and_complaints
    union all
    select contacts.contact_id, esp_suppressions.reason, esp_suppressions.suppressed_at
    from esp_suppressions
    inner join contacts
        on esp_suppressions.email = contacts.email
),

ranked as (
    select
        contact_id,
        reason,
        suppressed_at,
        row_number() over (partition by contact_id order by suppressed_at, reason) as suppression_rank
    from suppressions
),

final as (
    select
        contacts.contact_id,
        first_suppression.contact_id is not null as is_suppressed,
        first_suppression.reason as suppression_reason,
        first_suppression.suppressed_at as suppressed_since
    from contacts
    left join ranked as first_suppression
        on
            contacts.contact_id = first_suppression.contact_id
            and first_suppression.suppression_rank = 1
)

select * from final
