-- Every behaviour point of every contact, explained: which rule of seed
-- lead_score_rules it earned, for which event, how long ago, and what is left of
-- it after decay (points * 0.5 ^ (days_ago / var lead_score_half_life_days)).
-- Only events of the last var lead_score_window_days days count.
--   email opens and clicks: per message only its earliest real open and its
--     earliest click ever (up to D; int_message_engagements) earn points, if that
--     event lies in the window
--   other email rules (unsubscribe, spam_complaint, hard_bounce): every event
--   web rules: every event at recognition level 3 or 4 (no per-day dedup); a
--     rule with a page_type only matches events on that page type ('*' = any)
with

email_events as (
    select * from {{ ref('int_email_events') }}
),

web_events as (
    select * from {{ ref('int_web_events_recognised') }}
    where
        recognition_level >= 3
        and days_ago <= {{ var('lead_score_window_days') }} - 1
),

rules as (
    select * from {{ ref('lead_score_rules') }}
),

message_engagements as (
    select * from {{ ref('int_message_engagements') }}
),

email_candidates as (
    select
        first_open_event_id as event_id,
        contact_id,
        'open' as event_type,
        cast(null as {{ dbt.type_string() }}) as page_type,
        first_open_at as occurred_at,
        {{ days_ago('first_open_at') }} as days_ago
    from message_engagements
    where cast(first_open_at as date) <= {{ as_of_date() }}
    union all
    select
        first_click_event_id as event_id,
        contact_id,
        'click' as event_type,
        cast(null as {{ dbt.type_string() }}) as page_type,
        first_click_at as occurred_at,
        {{ days_ago('first_click_at') }} as days_ago
    from message_engagements
    where cast(first_click_at as date) <= {{ as_of_date() }}
    union all
    select event_id, contact_id, event_type, cast(null as {{ dbt.type_string() }}) as page_type, occurred_at, days_ago
    from email_events
    where event_type not in ('open', 'click', 'sent', 'delivered')
),

email_points as (
    select
        email_candidates.*,
        rules.rule_id,
        rules.source,
        rules.points
    from email_candidates
    inner join rules
        on
            rules.source = 'email'
            and email_candidates.event_type = rules.event_type
    where email_candidates.days_ago <= {{ var('lead_score_window_days') }} - 1
),

web_points as (
    select
        web_events.event_id,
        web_events.contact_id,
        web_events.event_type,
        web_events.page_type,
        web_events.occurred_at,
        web_events.days_ago,
        rules.rule_id,
        rules.source,
        rules.points
    from web_events
    inner join rules
        on
            rules.source = 'web'
            and web_events.event_type = rules.event_type
            and (rules.page_type = '*' or web_events.page_type = rules.page_type)
),

points as (
    select * from email_points
    union all
    select * from web_points
),

final as (
    select
        rule_id || ':' || event_id as lead_score_event_id,
        contact_id,
        rule_id,
        source,
        event_id,
        event_type,
        page_type,
        occurred_at,
        cast(days_ago as {{ dbt.type_int() }}) as days_ago,
        cast(points as {{ dbt.type_int() }}) as points,
        {{ decayed('points', 'days_ago', var('lead_score_half_life_days')) }} as decayed_points
    from points
)

select * from final
