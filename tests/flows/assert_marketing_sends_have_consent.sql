-- No marketing 'send' (or holdout) without marketing consent on D.
with

mailed as (
    select * from {{ ref('audience_decisions') }}
    where
        decision in ('send', 'holdout')
        and category = 'marketing'
        and as_of_date = {{ as_of_date() }}
),

consent as (
    select * from {{ ref('dim_contacts') }}
)

select mailed.*
from mailed
left join consent
    on mailed.contact_id = consent.contact_id
where not coalesce(consent.has_marketing_consent, false)
