-- Last engagement of every engaged contact up to D: a real open or a click of
-- any email type, or a web event at recognition level 3 or 4.
with

email_engagement as (
    select contact_id, occurred_at, 'email' as engagement_channel
    from {{ ref('int_email_events') }}
    where is_real_open or is_click
),

web_engagement as (
    select contact_id, occurred_at, 'web' as engagement_channel
    from {{ ref('int_web_events_recognised') }}
    where recognition_level >= 3
),

engagement as (
    select * from email_engagement
    union all
    select * from web_engagement
),

final as (
    select
        contact_id,
        max(occurred_at) as last_engagement_at,
        max(case when engagement_channel = 'email' then occurred_at end) as last_email_engagement_at,
        max(case when engagement_channel = 'web' then occurred_at end) as last_web_engagement_at
    from engagement
    group by contact_id
)

select * from final
