-- One row per usable consent event (email/marketing opt-ins and opt-outs).
with

consent_events as (
    select * from {{ ref('base_raw__consent_events') }}
    where row_fate = 'staged'
),

final as (
    select
        {{ row_fingerprint(['contact_id', 'channel', 'purpose', 'status', 'recorded_at', 'source']) }}
            as consent_event_id,
        contact_id,
        channel,
        purpose,
        status,
        recorded_at,
        source
    from consent_events
)

select * from final
