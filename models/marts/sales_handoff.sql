-- Sales-ready leads (SQL) for sales to follow up: contacts that are not
-- customers and whose lead band is sales_ready (lifecycle stage sales_ready),
-- with what sales needs to call them and why they scored.
with

lifecycle as (
    select * from {{ ref('contact_lifecycle') }}
    where lifecycle_stage = 'sales_ready'
),

contacts as (
    select * from {{ ref('stg_raw__contacts') }}
),

lead_scores as (
    select * from {{ ref('contact_lead_scores') }}
),

strategy as (
    select * from {{ ref('contact_strategy') }}
),

top_rules as (
    select contact_id, rule_id as top_rule_id, rule_points as top_rule_points
    from (
        select
            contact_id,
            rule_id,
            sum(decayed_points) as rule_points,
            row_number() over (partition by contact_id order by sum(decayed_points) desc, rule_id asc) as rule_rank
        from {{ ref('lead_score_events') }}
        group by contact_id, rule_id
    ) as ranked
    where rule_rank = 1
),

engagement as (
    select * from {{ ref('int_contact_engagement') }}
),

final as (
    select
        lifecycle.contact_id,
        {{ as_of_date() }} as as_of_date,
        contacts.email,
        contacts.first_name,
        contacts.last_name,
        contacts.company_name,
        contacts.job_title,
        contacts.company_size,
        contacts.country,
        lead_scores.lead_score,
        lead_scores.behaviour_score,
        lead_scores.fit_score,
        top_rules.top_rule_id,
        cast(top_rules.top_rule_points as {{ type_double() }}) as top_rule_points,
        engagement.last_engagement_at,
        strategy.primary_channel,
        strategy.description as next_step
    from lifecycle
    inner join contacts
        on lifecycle.contact_id = contacts.contact_id
    inner join lead_scores
        on lifecycle.contact_id = lead_scores.contact_id
    left join top_rules
        on lifecycle.contact_id = top_rules.contact_id
    left join engagement
        on lifecycle.contact_id = engagement.contact_id
    left join strategy
        on lead_scores.lead_band = strategy.lead_band
)

select * from final
