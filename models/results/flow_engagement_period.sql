-- Per run date D and flow of the registry: the engagement of the flow's mails
-- sent in the last engagement_period_days days (send days D - N + 1 .. D), all
-- steps together, with zeros for a flow that sent nothing. Rates as in
-- flow_engagement_daily. History: a run for D replaces D's rows.
{{ config(
    on_schema_change='fail',
    **history_model_config()
) }}
{%- set period_days = var('engagement_period_days') | int %}

with

daily as (
    select * from {{ ref('flow_engagement_daily') }}
    where
        send_date >= {{ dbt.dateadd('day', -(period_days - 1), as_of_date()) }}
        and send_date <= {{ as_of_date() }}
),

flows as (
    select * from {{ ref('flows') }}
),

per_flow as (
    select
        flow_id,
        sum(sent) as sent,
        sum(delivered) as delivered,
        sum(bounced) as bounced,
        sum(opened) as opened,
        sum(clicked) as clicked,
        sum(unsubscribed) as unsubscribed,
        sum(complained) as complained
    from daily
    group by flow_id
),

totals as (
    select
        flows.flow_id,
        coalesce(per_flow.sent, 0) as sent,
        coalesce(per_flow.delivered, 0) as delivered,
        coalesce(per_flow.bounced, 0) as bounced,
        coalesce(per_flow.opened, 0) as opened,
        coalesce(per_flow.clicked, 0) as clicked,
        coalesce(per_flow.unsubscribed, 0) as unsubscribed,
        coalesce(per_flow.complained, 0) as complained
    from flows
    left join per_flow
        on flows.flow_id = per_flow.flow_id
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        flow_id,
        cast({{ period_days }} as {{ dbt.type_int() }}) as period_days,
        {{ engagement_counts_and_rates() }}
    from totals
)

select * from final
