-- The most recent send of each flow to each contact (any step), for cooldowns.
with

flow_sends as (
    select * from {{ ref('int_email_sends') }}
    where flow_id is not null
),

final as (
    select
        contact_id,
        flow_id,
        cast(min(days_ago) as {{ dbt.type_int() }}) as last_sent_days_ago,
        max(sent_at) as last_sent_at
    from flow_sends
    group by contact_id, flow_id
)

select * from final
