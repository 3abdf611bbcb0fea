-- Every send: one row per message_id with a 'sent' event, dated by the message's
-- earliest 'sent' event (ties: the smallest event_id), whatever the as_of_date
-- (int_email_sends is the view of the sends up to D). Incremental on DuckDB and
-- PostgreSQL: a run recomputes the messages with events written or changed in
-- it, and removes the sends of contacts erased since (macros/incremental.sql).
{{ config(
    pre_hook="{{ delete_touched_keys(this, 'message_id', ref('base_raw__email_events')) }}",
    post_hook="{{ delete_erased_contacts(this) }}",
    **derived_incremental_config()
) }}
-- depends_on: {{ ref('base_erased_contacts') }}

with

sent_events as (
    select
        *,
        row_number() over (partition by message_id order by occurred_at asc, event_id asc) as sent_rank
    from {{ ref('stg_raw__email_events') }}
    where
        event_type = 'sent'
        and {{ touched_keys_condition('message_id', ref('base_raw__email_events')) }}
),

final as (
    select
        message_id,
        contact_id,
        email_type,
        campaign_id,
        flow_id,
        flow_step,
        occurred_at as sent_at
    from sent_events
    where sent_rank = 1
)

select * from final
