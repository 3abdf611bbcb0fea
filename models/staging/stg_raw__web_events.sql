-- One row per usable web event (anonymous events included).
with

web_events as (
    select * from {{ ref('base_raw__web_events') }}
    where row_fate = 'staged'
),

final as (
    select
        event_id,
        visitor_id,
        session_id,
        contact_id,
        is_logged_in,
        event_type,
        page_type,
        product_id,
        occurred_at,
        url
    from web_events
)

select * from final
