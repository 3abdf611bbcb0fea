-- Every entry of the ESP suppression list ever delivered, recorded the first
-- time a build saw it and kept from then on: a suppression that disappears
-- from a later delivery of esp_suppressions stays in force (append-only;
-- `dbt build --full-refresh` keeps it). Only an explicit lift ends one
-- (int_esp_suppressions). Erased addresses are kept: they protect the address.
{{ config(**ledger_model_config()) }}

with

delivered as (
    select email, reason, suppressed_at
    from {{ ref('stg_raw__esp_suppressions') }}
),

-- What earlier builds recorded (nothing in the first build).
recorded as (
    {{ ledger_recorded(['email', 'reason', 'suppressed_at'], 'delivered') }}
),

new_entries as (
    select delivered.email, delivered.reason, delivered.suppressed_at
    from delivered
    left join recorded
        on
            delivered.email = recorded.email
            and delivered.reason = recorded.reason
            and delivered.suppressed_at = recorded.suppressed_at
    where recorded.email is null
),

final as (
    select
        email,
        reason,
        suppressed_at,
        {{ as_of_date() }} as first_delivered_for,
        {{ ledger_recorded_at() }} as recorded_at
    from new_entries
)

select * from final
