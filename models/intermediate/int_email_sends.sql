-- Sends up to D: one row per message_id with a 'sent' event, dated by the
-- message's earliest 'sent' event (days_ago >= 0), and one row per mail exported
-- on an earlier day that the ESP has not reported as sent yet (int_exported_sends:
-- message_id 'exported:<day>:<flow>:<step>:<contact>', dated at the start of its
-- day, no campaign). Contact pressure, cooldowns and the campaign reminders count
-- these, so a late ESP feed never lets a contact get a second mail. A view.
{{ config(materialized='view') }}

with

esp_sends as (
    select * from {{ ref('int_email_sends_all_time') }}
    where cast(sent_at as date) <= {{ as_of_date() }}
),

exported_sends as (
    select * from {{ ref('int_exported_sends') }}
),

sends as (
    select
        message_id,
        contact_id,
        email_type,
        campaign_id,
        flow_id,
        flow_step,
        sent_at
    from esp_sends
    union all
    select
        {{ dbt.concat([
            "'exported:'",
            "cast(as_of_date as " ~ dbt.type_string() ~ ")",
            "':'", "flow_id", "':'",
            "cast(flow_step as " ~ dbt.type_string() ~ ")",
            "':'", "contact_id"
        ]) }} as message_id,
        contact_id,
        email_type,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        flow_id,
        flow_step,
        cast(as_of_date as {{ dbt.type_timestamp() }}) as sent_at
    from exported_sends
),

final as (
    select
        message_id,
        contact_id,
        email_type,
        campaign_id,
        flow_id,
        flow_step,
        sent_at,
        {{ days_ago('sent_at') }} as days_ago
    from sends
)

select * from final
