-- One row per usable email event of a staged contact.
with

email_events as (
    select * from {{ ref('base_raw__email_events') }}
    where row_fate = 'staged'
),

final as (
    select
        event_id,
        message_id,
        contact_id,
        email_type,
        campaign_id,
        flow_id,
        flow_step,
        event_type,
        occurred_at,
        url,
        product_id,
        is_machine_open
    from email_events
)

select * from final
