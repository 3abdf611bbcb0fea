-- Every 'send' row of audience_decisions (for D) is in its flow's audience
-- table, and every audience row is a 'send' decision. Returns the differences.
with

sends as (
    select flow_id, flow_step, contact_id, email
    from {{ ref('audience_decisions') }}
    where
        decision = 'send'
        and as_of_date = {{ as_of_date() }}
),

audiences as (
    {% for flow_id in flow_ids() -%}
        {% if not loop.first -%} union all {%- endif %}
        select flow_id, flow_step, contact_id, email
        from {{ ref('audience_' ~ flow_id) }}
    {% endfor -%}
),

missing_from_audiences as (
    select 'missing from audience table' as problem, sends.*
    from sends
    left join audiences
        on
            sends.flow_id = audiences.flow_id
            and sends.flow_step = audiences.flow_step
            and coalesce(sends.contact_id, sends.email) = coalesce(audiences.contact_id, audiences.email)
    where audiences.flow_id is null
),

not_a_send as (
    select 'not a send decision' as problem, audiences.*
    from audiences
    left join sends
        on
            audiences.flow_id = sends.flow_id
            and audiences.flow_step = sends.flow_step
            and coalesce(audiences.contact_id, audiences.email) = coalesce(sends.contact_id, sends.email)
    where sends.flow_id is null
)

select * from missing_from_audiences
union all
select * from not_a_send
