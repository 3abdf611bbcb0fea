-- One row per (as_of_date, flow_id, recipient) triggered: the decision ('send',
-- 'holdout' or 'excluded') and, for excluded pairs, the first global rule that
-- held them back. Incremental by as_of_date: a run for D replaces D's rows and
-- keeps the history of earlier decisions for measuring uplift. Erased contacts
-- and emails are removed from every date.
{{ config(
    on_schema_change='fail',
    post_hook="{{ delete_erased_contacts(this, email_column='email') }}",
    **history_model_config()
) }}
-- depends_on: {{ ref('base_erased_contacts') }}
-- depends_on: {{ ref('base_erased_emails') }}

with

decisions as (
    select * from {{ ref('flow_decisions') }}
),

final as (
    select
        as_of_date,
        flow_id,
        flow_step,
        contact_id,
        email,
        decision,
        exclusion_reason,
        priority,
        category,
        holdout_bucket,
        trigger_at,
        trigger_ref
    from decisions
)

select * from final
