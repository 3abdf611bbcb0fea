-- The preferred send hour (0-23, UTC) of every contact: the hour of day with
-- the most real opens and clicks over the last var send_time_window_days days
-- (ties: the earliest hour). Contacts with fewer than var send_time_min_events
-- such events get the overall best hour of all contacts (ties: the earliest);
-- if nobody has any, var send_time_default_hour.
with

contacts as (
    select contact_id from {{ ref('stg_raw__contacts') }}
),

events as (
    select
        contact_id,
        {{ hour_of('occurred_at') }} as send_hour
    from {{ ref('int_email_events') }}
    where
        (is_real_open or is_click)
        and days_ago <= {{ var('send_time_window_days') }} - 1
),

per_contact_hour as (
    select
        contact_id,
        send_hour,
        count(*) as events
    from events
    group by contact_id, send_hour
),

per_contact as (
    select
        contact_id,
        send_hour,
        sum(events) over (partition by contact_id) as events_in_window,
        row_number() over (partition by contact_id order by events desc, send_hour asc) as hour_rank
    from per_contact_hour
),

overall as (
    select send_hour, is_measured from {{ ref('int_overall_send_hour') }}
),

final as (
    select
        contacts.contact_id,
        cast(coalesce(per_contact.events_in_window, 0) as {{ dbt.type_int() }}) as events_in_window,
        cast(
            case
                when per_contact.events_in_window >= {{ var('send_time_min_events') }}
                    then per_contact.send_hour
                else overall.send_hour
            end as {{ dbt.type_int() }}
        ) as preferred_send_hour,
        case
            when per_contact.events_in_window >= {{ var('send_time_min_events') }} then 'personal'
            when overall.is_measured then 'overall'
            else 'default'
        end as send_hour_source
    from contacts
    left join per_contact
        on
            contacts.contact_id = per_contact.contact_id
            and per_contact.hour_rank = 1
    left join overall
        on 1 = 1
)

select * from final
