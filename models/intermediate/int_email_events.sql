{{ config(materialized='view') }}
-- Email events of the run (days_ago >= 0), with the flags the rules use. A view:
-- the base table is scanned by each reader with only the columns it needs,
-- which is cheaper than another copy of tens of millions of events.
-- A real open is an 'open' whose is_machine_open is not true (privacy proxies
-- open every mail; they are not a person).
with

email_events as (
    select * from {{ ref('stg_raw__email_events') }}
    where cast(occurred_at as date) <= {{ as_of_date() }}
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
        {{ days_ago('occurred_at') }} as days_ago,
        url,
        product_id,
        event_type = 'open' and not coalesce(is_machine_open, false) as is_real_open,
        event_type = 'click' as is_click
    from email_events
)

select * from final
