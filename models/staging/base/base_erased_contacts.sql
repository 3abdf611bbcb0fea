-- Contacts erased by a right-to-be-forgotten request: named by contact_id, or
-- having any raw row whose normalised email equals a request's normalised email.
-- Erasure requests are never time-filtered: an erasure applies to every run.
with

erasure_requests as (
    select
        {{ clean_text('contact_id') }} as contact_id,
        {{ normalise_email('email') }} as email
    from {{ source('raw', 'erasure_requests') }}
),

raw_contacts as (
    select
        {{ clean_text('contact_id') }} as contact_id,
        {{ normalise_email('email') }} as email
    from {{ source('raw', 'contacts') }}
),

named_by_id as (
    select contact_id
    from erasure_requests
    where contact_id is not null
),

named_by_email as (
    select raw_contacts.contact_id
    from raw_contacts
    inner join erasure_requests
        on raw_contacts.email = erasure_requests.email
    where raw_contacts.contact_id is not null
),

erased as (
    select contact_id from named_by_id
    union
    select contact_id from named_by_email
)

select contact_id
from erased
