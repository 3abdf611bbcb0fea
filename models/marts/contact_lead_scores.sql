-- The lead score of every contact on D: behaviour (the decayed points of
-- lead_score_events) plus fit (seed lead_fit_rules, no decay). Scores are kept
-- unrounded. The band is the contact_strategy band with the highest min_score
-- at or below the score: cold < 20 <= warm < 50 <= hot (MQL) < 80 <= sales_ready (SQL).
with

contacts as (
    select * from {{ ref('stg_raw__contacts') }}
),

score_events as (
    select * from {{ ref('lead_score_events') }}
),

fit_rules as (
    select * from {{ ref('lead_fit_rules') }}
),

bands as (
    select * from {{ ref('contact_strategy') }}
),

behaviour as (
    select
        contact_id,
        sum(decayed_points) as behaviour_score,
        count(*) as scored_events
    from score_events
    group by contact_id
),

attributes as (
    select
        contact_id,
        'company_size' as attribute,
        cast(company_size as {{ dbt.type_string() }}) as attribute_value
    from contacts
    union all
    select contact_id, 'job_title' as attribute, job_title as attribute_value from contacts
    union all
    select contact_id, 'country' as attribute, country as attribute_value from contacts
    union all
    select contact_id, 'language' as attribute, language as attribute_value from contacts
    union all
    select contact_id, 'signup_source' as attribute, signup_source as attribute_value from contacts
),

fit_matches as (
    select
        attributes.contact_id,
        fit_rules.fit_rule,
        max(fit_rules.points) as points
    from attributes
    inner join fit_rules
        on attributes.attribute = fit_rules.attribute
    where
        case fit_rules.operator
            when 'at_least'
                then {{ dbt.safe_cast('attribute_value', dbt.type_numeric()) }}
                    >= {{ dbt.safe_cast('fit_rules.value', dbt.type_numeric()) }}
            when 'contains'
                then lower(attributes.attribute_value) like '%' || lower(fit_rules.value) || '%'
            when 'equals'
                then lower(attributes.attribute_value) = lower(fit_rules.value)
            else false
        end
    group by attributes.contact_id, fit_rules.fit_rule
),

fit as (
    select
        contact_id,
        sum(points) as fit_score
    from fit_matches
    group by contact_id
),

scored as (
    select
        contacts.contact_id,
        coalesce(behaviour.behaviour_score, 0) as behaviour_score,
        coalesce(fit.fit_score, 0) as fit_score,
        coalesce(behaviour.behaviour_score, 0) + coalesce(fit.fit_score, 0) as lead_score,
        coalesce(behaviour.scored_events, 0) as scored_events
    from contacts
    left join behaviour
        on contacts.contact_id = behaviour.contact_id
    left join fit
        on contacts.contact_id = fit.contact_id
),

banded as (
    select
        scored.contact_id,
        bands.lead_band,
        bands.band_order,
        row_number() over (
            partition by scored.contact_id
            order by case when bands.min_score is null then 0 else 1 end desc, bands.min_score desc
        ) as band_rank
    from scored
    inner join bands
        on scored.lead_score >= coalesce(bands.min_score, scored.lead_score)
),

final as (
    select
        scored.contact_id,
        {{ as_of_date() }} as as_of_date,
        cast(scored.behaviour_score as {{ type_double() }}) as behaviour_score,
        cast(scored.fit_score as {{ dbt.type_int() }}) as fit_score,
        cast(scored.lead_score as {{ type_double() }}) as lead_score,
        banded.lead_band,
        cast(scored.scored_events as {{ dbt.type_int() }}) as scored_events
    from scored
    left join banded
        on
            scored.contact_id = banded.contact_id
            and banded.band_rank = 1
)

select * from final
