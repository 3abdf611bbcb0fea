-- One row per recipient exported per day, flow, step and channel, as recorded by
-- `followup export` in the state schema (emails only as SHA-256). Staging only
-- selects the columns the models read.
with

send_log as (
    select * from {{ source('followup_state', 'send_log') }}
),

final as (
    select
        as_of_date,
        flow_id,
        flow_step,
        channel,
        email_sha256,
        contact_id,
        batch_id,
        exported_at
    from send_log
)

select * from final
