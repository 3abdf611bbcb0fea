-- The overall best send hour (0-23, UTC): the hour of day with the most real
-- opens and clicks of all contacts over the last var send_time_window_days days
-- (ties: the earliest hour); var send_time_default_hour if there are none.
-- Contacts with too few events of their own, and email-only recipients, get it.
with

events as (
    select {{ hour_of('occurred_at') }} as send_hour
    from {{ ref('int_email_events') }}
    where
        (is_real_open or is_click)
        and days_ago <= {{ var('send_time_window_days') }} - 1
),

ranked as (
    select
        send_hour,
        count(*) as events,
        row_number() over (order by count(*) desc, send_hour asc) as hour_rank
    from events
    group by send_hour
),

best as (
    select send_hour, events from ranked
    where hour_rank = 1
),

final as (
    select
        1 as overall_key,
        cast(coalesce(best.send_hour, {{ var('send_time_default_hour') }}) as {{ dbt.type_int() }}) as send_hour,
        best.send_hour is not null as is_measured,
        cast(coalesce(best.events, 0) as {{ dbt.type_int() }}) as events_at_hour
    from (select 1 as anchor) as one_row
    left join best
        on one_row.anchor = 1
)

select * from final
