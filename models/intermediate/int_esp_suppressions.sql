-- The ESP suppressions in force on D: every entry ever delivered
-- (int_esp_suppression_ledger) dated days_ago >= 0, less the ones lifted on
-- purpose. A lift (stg_followup_state__suppression_lifts, written by
-- `followup suppression lift`) ends the email's suppressions recorded at or
-- before lifted_at, from lifted_at's day on; a later suppression holds again.
-- Unsubscribes are never lifted: they are opt-outs, and only a newer opt-in
-- undoes one.
with

ledger as (
    select email, reason, suppressed_at
    from {{ ref('int_esp_suppression_ledger') }}
    where cast(suppressed_at as date) <= {{ as_of_date() }}
),

lifts as (
    select email_sha256, max(lifted_at) as lifted_at
    from {{ ref('stg_followup_state__suppression_lifts') }}
    where cast(lifted_at as date) <= {{ as_of_date() }}
    group by email_sha256
),

final as (
    select
        ledger.email,
        ledger.reason,
        ledger.suppressed_at
    from ledger
    left join lifts
        on {{ sha256_hex('ledger.email') }} = lifts.email_sha256
    where
        ledger.reason = 'unsubscribe'
        or lifts.lifted_at is null
        or ledger.suppressed_at > lifts.lifted_at
)

select * from final
