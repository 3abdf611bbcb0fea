-- Web events of the run (days_ago >= 0) with their recognition level and the
-- contact they are attributed to (see int_web_events_recognised_all_time). A view: the
-- rules read it as of D.
{{ config(materialized='view') }}

with

recognition as (
    select * from {{ ref('int_web_events_recognised_all_time') }}
    where cast(occurred_at as date) <= {{ as_of_date() }}
),

final as (
    select
        event_id,
        visitor_id,
        session_id,
        contact_id,
        recognition_level,
        event_type,
        page_type,
        product_id,
        occurred_at,
        {{ days_ago('occurred_at') }} as days_ago,
        url
    from recognition
)

select * from final
