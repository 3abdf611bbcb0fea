-- Marketing mail pressure per contact on D: marketing sends (campaigns and
-- marketing flows; email_type 'marketing') made on D, and in the last
-- var marketing_pressure_window_days days (days_ago in [0, 6]).
with

sends as (
    select * from {{ ref('int_email_sends') }}
    where
        email_type = 'marketing'
        and days_ago <= {{ var('marketing_pressure_window_days') }} - 1
),

final as (
    select
        contact_id,
        cast(sum(case when days_ago = 0 then 1 else 0 end) as {{ dbt.type_int() }}) as marketing_sends_today,
        cast(count(*) as {{ dbt.type_int() }}) as marketing_sends_window
    from sends
    group by contact_id
)

select * from final
