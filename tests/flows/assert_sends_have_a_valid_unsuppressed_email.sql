-- No 'send' row without a valid, unsuppressed email: checked against the
-- contact's and the email's suppression state independently of the decision
-- logic. Returns the offending rows.
with

sends as (
    select * from {{ ref('audience_decisions') }}
    where
        decision = 'send'
        and as_of_date = {{ as_of_date() }}
),

suppressed_contacts as (
    select contact_id from {{ ref('int_contact_suppressions') }}
    where is_suppressed
),

suppressed_emails as (
    select email from {{ ref('int_email_suppressions') }}
)

select sends.*
from sends
left join suppressed_contacts
    on sends.contact_id = suppressed_contacts.contact_id
left join suppressed_emails
    on sends.email = suppressed_emails.email
where
    not {{ is_valid_email('sends.email') }}
    or suppressed_contacts.contact_id is not null
    or (sends.contact_id is null and suppressed_emails.email is not null)
