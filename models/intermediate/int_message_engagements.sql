-- Per message (one email to one recipient): its earliest real open and its
-- earliest click ever (ties: the smallest event_id), whatever the as_of_date.
-- Lead scores give points for exactly these, and the campaign reminders look at
-- whether a message was opened or clicked. Incremental on DuckDB and PostgreSQL
-- like int_email_sends_all_time (macros/incremental.sql).
{{ config(
    pre_hook="{{ delete_touched_keys(this, 'message_id', ref('base_raw__email_events')) }}",
    post_hook="{{ delete_erased_contacts(this) }}",
    **derived_incremental_config()
) }}
-- depends_on: {{ ref('base_erased_contacts') }}

with

engagements as (
    select
        message_id,
        contact_id,
        event_id,
        occurred_at,
        case when event_type = 'click' then 'click' else 'open' end as engagement,
        row_number() over (
            partition by message_id, case when event_type = 'click' then 'click' else 'open' end
            order by occurred_at asc, event_id asc
        ) as engagement_rank
    from {{ ref('stg_raw__email_events') }}
    where
        (
            event_type = 'click'
            or (event_type = 'open' and not coalesce(is_machine_open, false))
        )
        and {{ touched_keys_condition('message_id', ref('base_raw__email_events')) }}
),

firsts as (
    select * from engagements
    where engagement_rank = 1
),

final as (
    select
        message_id,
        max(contact_id) as contact_id,
        max(case when engagement = 'open' then event_id end) as first_open_event_id,
        max(case when engagement = 'open' then occurred_at end) as first_open_at,
        max(case when engagement = 'click' then event_id end) as first_click_event_id,
        max(case when engagement = 'click' then occurred_at end) as first_click_at
    from firsts
    group by message_id
)

select * from final
