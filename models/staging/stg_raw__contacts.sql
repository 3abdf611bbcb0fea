-- One row per contact: the winning row of each contact_id, cleaned, with the
-- normalised email validated. Erased, ambiguous and key-less contacts are not
-- here (see stg_quarantine).
with

contacts as (
    select * from {{ ref('base_raw__contacts') }}
    where row_fate = 'staged'
),

final as (
    select
        contact_id,
        email,
        {{ is_valid_email('email') }} as email_is_valid,
        first_name,
        last_name,
        gender,
        birth_date,
        language,
        country,
        company_name,
        job_title,
        company_size,
        signup_source,
        created_at,
        updated_at
    from contacts
)

select * from final
