-- Normalised emails that must vanish with an erasure: every email named in a
-- request, and every email any raw row of an erased contact ever had.
with

erasure_requests as (
    select {{ normalise_email('email') }} as email
    from {{ source('raw', 'erasure_requests') }}
),

raw_contacts as (
    select
        {{ clean_text('contact_id') }} as contact_id,
        {{ normalise_email('email') }} as email
    from {{ source('raw', 'contacts') }}
),

erased_contacts as (
    select contact_id from {{ ref('base_erased_contacts') }}
),

emails_of_erased_contacts as (
    select raw_contacts.email
    from raw_contacts
    inner join erased_contacts
        on raw_contacts.contact_id = erased_contacts.contact_id
),

erased as (
    select email from erasure_requests
    union
    select email from emails_of_erased_contacts
)

select email
from erased
where email is not null
