{#-
    The recognition levels of the web events of the visitors that
    `visitor_condition` (a condition on staged_web_events) selects:
    the body of int_web_events_recognised_all_time, also used to recompute visitors
    after an erasure. A visitor's events are always computed together, because
    a level depends on the visitor's earlier events.
-#}
{% macro web_recognition_sql(visitor_condition='true') -%}
with

web_events as (
    select
        *,
        coalesce(is_logged_in, false) and contact_id is not null as is_identified
    from {{ ref('stg_raw__web_events') }} as staged_web_events
    where {{ visitor_condition }}
),

-- one row per visitor and second, with the contact of its first logged-in event
logins_ranked as (
    select
        visitor_id,
        occurred_at,
        contact_id,
        row_number() over (
            partition by visitor_id, occurred_at
            order by event_id
        ) as login_rank
    from web_events
    where is_identified
),

visitor_seconds as (
    select
        visitor_id,
        occurred_at,
        max(case when is_identified then 1 else 0 end) as has_login
    from web_events
    group by visitor_id, occurred_at
),

seconds_with_previous_login as (
    select
        visitor_id,
        occurred_at,
        min(occurred_at) over (partition by visitor_id) as first_seen_at,
        max(case when has_login = 1 then occurred_at end) over (
            partition by visitor_id
            order by occurred_at
            rows between unbounded preceding and 1 preceding
        ) as previous_login_at
    from visitor_seconds
),

recognised as (
    select
        web_events.event_id,
        web_events.visitor_id,
        web_events.session_id,
        web_events.event_type,
        web_events.page_type,
        web_events.product_id,
        web_events.occurred_at,
        web_events.url,
        case
            when web_events.is_identified then 4
            when seconds.previous_login_at is not null then 3
            when web_events.occurred_at = seconds.first_seen_at then 1
            else 2
        end as recognition_level,
        case
            when web_events.is_identified then web_events.contact_id
            when seconds.previous_login_at is not null then previous_login.contact_id
        end as contact_id
    from web_events
    inner join seconds_with_previous_login as seconds
        on
            web_events.visitor_id = seconds.visitor_id
            and web_events.occurred_at = seconds.occurred_at
    left join logins_ranked as previous_login
        on
            seconds.visitor_id = previous_login.visitor_id
            and seconds.previous_login_at = previous_login.occurred_at
            and previous_login.login_rank = 1
)

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
    url
from recognised
{%- endmacro %}
