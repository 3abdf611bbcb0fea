-- Contacts erased by a right-to-be-forgotten request, now or in any earlier
-- build (base_erasure_ledger): named by contact_id, sharing a normalised email
-- with an erased contact, or with any raw row carrying an erased email.
-- Every row keyed by one of these contact_ids is removed from staging.
with

ledger as (
    select subject from {{ ref('base_erasure_ledger') }}
    where subject_type = 'contact'
),

final as (
    select distinct subject as contact_id
    from ledger
)

select * from final
