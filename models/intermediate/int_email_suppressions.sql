-- Suppression per normalised email on D, for recipients keyed by email (back
-- in stock alerts): the email is on the ESP suppression list with a reason
-- other than 'unsubscribe', or any (non-erased) contact with that email had a
-- hard bounce or spam complaint (days_ago >= 0). Read from the ledgers, so a
-- suppression once seen holds even if a later delivery lacks it.
with

esp_suppressions as (
    select email
    from {{ ref('int_esp_suppressions') }}
    where reason <> 'unsubscribe'
),

contacts as (
    select contact_id, email from {{ ref('stg_raw__contacts') }}
    where email is not null
),

bounced_contacts as (
    select distinct contact_id
    from {{ ref('int_contact_protection_ledger') }}
    where
        event_type in ('hard_bounce', 'spam_complaint')
        and cast(occurred_at as date) <= {{ as_of_date() }}
),

suppressed as (
    select email from esp_suppressions
    union
    select contacts.email
    from contacts
    inner join bounced_contacts
        on contacts.contact_id = bounced_contacts.contact_id
)

select email
from suppressed
