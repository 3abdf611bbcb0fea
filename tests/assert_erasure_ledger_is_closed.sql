-- The erasure closure is complete: no raw contact row links an erased
-- contact_id to an email that is not erased, or an erased email to a
-- contact_id that is not erased. A row here means a chain of shared emails
-- longer than var('erasure_closure_steps'): raise it, or build again (each
-- build starts from the ledger and follows the links further).
with

ledger as (
    select subject_type, subject from {{ ref('base_erasure_ledger') }}
),

raw_contacts as (
    select distinct
        {{ clean_text('contact_id') }} as contact_id,
        {{ normalise_email('email') }} as email
    from {{ source('raw', 'contacts') }}
),

linked as (
    select
        raw_contacts.contact_id,
        erased_contact.subject is not null as contact_is_erased,
        erased_email.subject is not null as email_is_erased
    from raw_contacts
    left join ledger as erased_contact
        on
            erased_contact.subject_type = 'contact'
            and raw_contacts.contact_id = erased_contact.subject
    left join ledger as erased_email
        on
            erased_email.subject_type = 'email'
            and {{ sha256_hex('raw_contacts.email') }} = erased_email.subject
    where raw_contacts.contact_id is not null and raw_contacts.email is not null
)

select contact_id
from linked
where contact_is_erased <> email_is_erased
