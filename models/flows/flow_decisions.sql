-- The decision for every (flow, recipient) pair triggered on D. The first of
-- these global rules that holds a pair back names the reason:
--   1 invalid_email     the recipient has no valid email
--   2 duplicate_email   another contact with the same normalised email
--                       triggered the same flow (contact-keyed flows): among
--                       those with a valid email, the latest updated_at (then
--                       the smallest contact_id) stays
--   3 suppressed        hard bounce or spam complaint ever, or on the ESP
--                       suppression list for a reason other than unsubscribe
--   4 no_consent        marketing flows: consent on D is not opt-in
--   5 cooldown          a send of this flow (any step) to the contact with
--                       days_ago < cooldown_days
--   6 contact_pressure  marketing flows: a marketing send already on D, or
--                       var max_marketing_sends_7d marketing sends in [0, 6]
--   7 lower_priority    marketing flows: the contact is eligible for a marketing
--                       flow with a higher priority (1 = highest) today
-- The winning pair (and every service pair) is then held out as a control group
-- when int(first 8 hex digits of md5(contact_id || ':' || flow_id)) mod 100 <
-- holdout_pct: decision 'holdout' (not sent); else 'send'.
with

triggers as (
    select * from {{ ref('flow_triggers') }}
),

suppressed_contacts as (
    select contact_id from {{ ref('int_contact_suppressions') }}
    where is_suppressed
),

suppressed_emails as (
    select email from {{ ref('int_email_suppressions') }}
),

consent as (
    select contact_id, has_marketing_consent from {{ ref('int_contact_consent') }}
),

last_sends as (
    select * from {{ ref('int_flow_last_sends') }}
),

pressure as (
    select * from {{ ref('int_contact_marketing_pressure') }}
),

checked as (
    select
        triggers.*,
        {{ is_valid_email('triggers.email') }} as has_valid_email,
        case
            when triggers.recipient_type = 'email' then suppressed_emails.email is not null
            else suppressed_contacts.contact_id is not null
        end as is_suppressed,
        coalesce(consent.has_marketing_consent, false) as has_marketing_consent,
        last_sends.last_sent_days_ago,
        coalesce(pressure.marketing_sends_today, 0) as marketing_sends_today,
        coalesce(pressure.marketing_sends_window, 0) as marketing_sends_window
    from triggers
    left join suppressed_contacts
        on triggers.contact_id = suppressed_contacts.contact_id
    left join suppressed_emails
        on triggers.email = suppressed_emails.email
    left join consent
        on triggers.contact_id = consent.contact_id
    left join last_sends
        on
            triggers.contact_id = last_sends.contact_id
            and triggers.flow_id = last_sends.flow_id
    left join pressure
        on triggers.contact_id = pressure.contact_id
),

deduplicated as (
    select
        *,
        case
            when recipient_type = 'contact' and has_valid_email
                then row_number() over (
                        partition by flow_id, recipient_type, has_valid_email, email
                        order by
                            case when contact_updated_at is null then 1 else 0 end asc,
                            contact_updated_at desc,
                            contact_id asc
                    )
            else 1
        end as email_rank
    from checked
),

ruled as (
    select
        *,
        case
            when not has_valid_email then 'invalid_email'
            when email_rank > 1 then 'duplicate_email'
            when is_suppressed then 'suppressed'
            when category = 'marketing' and not has_marketing_consent then 'no_consent'
            when cooldown_days is not null and last_sent_days_ago < cooldown_days then 'cooldown'
            when
                category = 'marketing'
                and (
                    marketing_sends_today > 0
                    or marketing_sends_window >= {{ var('max_marketing_sends_7d') }}
                )
                then 'contact_pressure'
        end as rule_reason
    from deduplicated
),

arbitrated as (
    select
        *,
        case
            when category = 'marketing' and rule_reason is null
                then row_number() over (
                        partition by contact_id, category, rule_reason
                        order by priority, flow_id
                    )
            else 1
        end as priority_rank,
        {{ md5_prefix_int("coalesce(contact_id, email) || ':' || flow_id") }} as hash_value
    from ruled
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        flow_id,
        flow_step,
        contact_id,
        email,
        recipient,
        recipient_type,
        category,
        priority,
        case
            when rule_reason is not null or priority_rank > 1 then 'excluded'
            when {{ int_mod('hash_value', 100) }} < holdout_pct then 'holdout'
            else 'send'
        end as decision,
        case
            when rule_reason is not null then rule_reason
            when priority_rank > 1 then 'lower_priority'
        end as exclusion_reason,
        cast({{ int_mod('hash_value', 100) }} as {{ dbt.type_int() }}) as holdout_bucket,
        trigger_at,
        trigger_ref,
        {{ select_columns(flow_payload_names()) }}
    from arbitrated
)

select * from final
