-- Per run date and flow: how many pairs triggered, how many were sent, held
-- out and excluded, and why - the first thing to open when a flow looks small.
-- Every flow of the registry appears on every run date, with zeros if nothing
-- triggered.
with

decisions as (
    select * from {{ ref('audience_decisions') }}
),

flows as (
    select * from {{ ref('flows') }}
),

run_dates as (
    select distinct as_of_date from decisions
    union
    select {{ as_of_date() }} as as_of_date
),

{%- set reasons = [
    'invalid_email', 'duplicate_email', 'suppressed', 'no_consent', 'cooldown',
    'contact_pressure', 'lower_priority',
] %}

counts as (
    select
        as_of_date,
        flow_id,
        {%- for reason in reasons %}
            sum(case when exclusion_reason = '{{ reason }}' then 1 else 0 end) as excluded_{{ reason }},
        {%- endfor %}
        count(*) as triggered,
        sum(case when decision = 'send' then 1 else 0 end) as sent,
        sum(case when decision = 'holdout' then 1 else 0 end) as held_out,
        sum(case when decision = 'excluded' then 1 else 0 end) as excluded
    from decisions
    group by as_of_date, flow_id
),

final as (
    select
        run_dates.as_of_date,
        flows.flow_id,
        flows.category,
        flows.priority,
        flows.enabled,
        cast(coalesce(counts.triggered, 0) as {{ dbt.type_int() }}) as triggered,
        cast(coalesce(counts.sent, 0) as {{ dbt.type_int() }}) as sent,
        cast(coalesce(counts.held_out, 0) as {{ dbt.type_int() }}) as held_out,
        {%- for reason in reasons %}
            cast(coalesce(counts.excluded_{{ reason }}, 0) as {{ dbt.type_int() }}) as excluded_{{ reason }},
        {%- endfor %}
        cast(coalesce(counts.excluded, 0) as {{ dbt.type_int() }}) as excluded
    from run_dates
    cross join flows
    left join counts
        on
            run_dates.as_of_date = counts.as_of_date
            and flows.flow_id = counts.flow_id
)

select * from final
