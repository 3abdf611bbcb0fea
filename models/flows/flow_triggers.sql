-- Every (flow, recipient) pair triggered on D, for the enabled flows of seed
-- `flows`, with the recipient's normalised email (the contact's, or the
-- request's for email-keyed flows) and the flow's registry settings. One row
-- per flow and recipient; the global rules in flow_decisions decide.
with

triggers as (
    {% for flow_id in flow_ids() -%}
        {% if not loop.first -%} union all {%- endif %}
        select * from {{ ref('flow_trigger__' ~ flow_id) }}
    {% endfor -%}
),

flows as (
    select * from {{ ref('flows') }}
    where enabled
),

contacts as (
    select contact_id, email, updated_at from {{ ref('stg_raw__contacts') }}
),

final as (
    select
        triggers.flow_id,
        triggers.flow_step,
        triggers.contact_id,
        case
            when flows.recipient = 'email' then triggers.email
            else contacts.email
        end as email,
        coalesce(triggers.contact_id, triggers.email) as recipient,
        flows.recipient as recipient_type,
        flows.category,
        flows.priority,
        flows.cooldown_days,
        flows.holdout_pct,
        contacts.updated_at as contact_updated_at,
        triggers.trigger_at,
        triggers.trigger_ref,
        {{ select_columns(flow_payload_names(), 'triggers') }}
    from triggers
    inner join flows
        on triggers.flow_id = flows.flow_id
    left join contacts
        on triggers.contact_id = contacts.contact_id
)

select * from final
