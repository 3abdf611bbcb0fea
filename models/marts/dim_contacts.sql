-- Contact 360: one row per (non-erased) contact with everything BI tools and
-- flows need about them on D. A public, contracted model.
with

contacts as (
    select * from {{ ref('stg_raw__contacts') }}
),

consent as (
    select * from {{ ref('int_contact_consent') }}
),

suppressions as (
    select * from {{ ref('int_contact_suppressions') }}
),

contact_orders as (
    select * from {{ ref('int_contact_orders') }}
),

engagement as (
    select * from {{ ref('int_contact_engagement') }}
),

lifecycle as (
    select * from {{ ref('contact_lifecycle') }}
),

rfm as (
    select * from {{ ref('contact_rfm') }}
),

lead_scores as (
    select * from {{ ref('contact_lead_scores') }}
),

send_time as (
    select * from {{ ref('contact_send_time') }}
),

predictions as (
    select * from {{ ref('contact_predictions') }}
),

top_categories as (
    select contact_id, category
    from (
        select
            contact_id,
            category,
            row_number() over (
                partition by contact_id
                order by {{ ranking_score('affinity_score') }} desc, category asc
            ) as category_rank
        from {{ ref('contact_category_affinity') }}
    ) as ranked
    where category_rank = 1
),

final as (
    select
        contacts.contact_id,
        {{ as_of_date() }} as as_of_date,
        contacts.email,
        contacts.email_is_valid,
        contacts.first_name,
        contacts.last_name,
        contacts.gender,
        coalesce(contacts.language, '{{ var("default_language") }}') as language,
        contacts.country,
        contacts.birth_date,
        {{ age_on_as_of_date('contacts.birth_date') }} as age,
        contacts.company_name,
        contacts.job_title,
        contacts.company_size,
        contacts.signup_source,
        contacts.created_at,
        consent.consent_status,
        consent.has_marketing_consent,
        consent.consent_changed_at,
        consent.first_opt_in_at,
        suppressions.is_suppressed,
        suppressions.suppression_reason,
        suppressions.suppressed_since,
        contact_orders.first_valid_order_at,
        contact_orders.last_valid_order_at,
        cast(coalesce(contact_orders.valid_order_count, 0) as {{ dbt.type_int() }}) as valid_order_count,
        cast(coalesce(contact_orders.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        contact_orders.contact_id is not null as is_customer,
        engagement.last_engagement_at,
        lifecycle.lifecycle_stage,
        rfm.rfm_segment,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        lead_scores.lead_score,
        lead_scores.lead_band,
        top_categories.category as top_category,
        send_time.preferred_send_hour,
        predictions.probability_alive,
        predictions.expected_orders_short_horizon,
        predictions.expected_orders_long_horizon,
        predictions.churn_probability,
        predictions.churn_risk_band,
        predictions.expected_spend_per_order,
        predictions.predicted_clv,
        predictions.expected_next_order_date,
        predictions.is_low_confidence as is_prediction_low_confidence
    from contacts
    left join consent
        on contacts.contact_id = consent.contact_id
    left join suppressions
        on contacts.contact_id = suppressions.contact_id
    left join contact_orders
        on contacts.contact_id = contact_orders.contact_id
    left join engagement
        on contacts.contact_id = engagement.contact_id
    left join lifecycle
        on contacts.contact_id = lifecycle.contact_id
    left join rfm
        on contacts.contact_id = rfm.contact_id
    left join lead_scores
        on contacts.contact_id = lead_scores.contact_id
    left join top_categories
        on contacts.contact_id = top_categories.contact_id
    left join send_time
        on contacts.contact_id = send_time.contact_id
    left join predictions
        on contacts.contact_id = predictions.contact_id
)

select * from final
