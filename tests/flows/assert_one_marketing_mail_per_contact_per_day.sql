-- Never two marketing mails to one contact on one day: at most one marketing
-- 'send' per contact per run date, and none for a contact that already got a
-- marketing mail that day.
with

marketing_sends as (
    select * from {{ ref('audience_decisions') }}
    where
        decision = 'send'
        and category = 'marketing'
),

per_contact as (
    select as_of_date, contact_id, count(*) as marketing_sends
    from marketing_sends
    group by as_of_date, contact_id
    having count(*) > 1
),

already_mailed_today as (
    select marketing_sends.as_of_date, marketing_sends.contact_id, 1 as marketing_sends
    from marketing_sends
    inner join {{ ref('int_contact_marketing_pressure') }} as pressure
        on marketing_sends.contact_id = pressure.contact_id
    where
        marketing_sends.as_of_date = {{ as_of_date() }}
        and pressure.marketing_sends_today > 0
)

select * from per_contact
union all
select * from already_mailed_today
