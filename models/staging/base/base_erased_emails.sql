-- Normalised emails that vanish with an erasure, as they occur in the raw data:
-- every email whose SHA-256 is in the erasure ledger (each email named in a
-- request, and every email any raw row of an erased contact had). Contact rows
-- and back-in-stock requests with one of these emails are removed.
with

ledger as (
    select subject as email_sha256 from {{ ref('base_erasure_ledger') }}
    where subject_type = 'email'
),

raw_emails as (
    select {{ normalise_email('email') }} as email from {{ source('raw', 'contacts') }}
    union
    select {{ normalise_email('email') }} as email from {{ source('raw', 'stock_alert_requests') }}
    union
    select {{ normalise_email('email') }} as email from {{ source('raw', 'erasure_requests') }}
),

final as (
    select raw_emails.email
    from raw_emails
    inner join ledger
        on {{ sha256_hex('raw_emails.email') }} = ledger.email_sha256
    where raw_emails.email is not null
)

select * from final
