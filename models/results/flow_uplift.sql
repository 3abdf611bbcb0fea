-- Per run date D and flow of the registry: did the flow work? Conversions of the
-- 'send' and the 'holdout' group over the measured decisions
-- (int_flow_decision_outcomes), the absolute uplift (difference of conversion
-- rates) with a 95 % Wald interval, the two-sided p-value of the two-proportion
-- z-test (pooled), the relative uplift with a 95 % log-ratio (Katz) interval, the
-- incremental conversions and revenue, and whether the groups are too small to
-- conclude. docs/semantics.md ("Measuring results") states every formula.
-- History: a run for D replaces D's rows and keeps the other days.
{{ config(
    on_schema_change='fail',
    **history_model_config()
) }}
{%- set window_days = var('attribution_window_days') | int %}
{%- set min_group = var('uplift_min_group_size') | int %}
{%- set min_outcomes = var('uplift_min_outcomes') | int %}
{%- set z_95 = '1.959963984540054' %}

with

outcomes as (
    select * from {{ ref('int_flow_decision_outcomes') }}
),

flows as (
    select * from {{ ref('flows') }}
),

per_flow as (
    select
        flow_id,
        sum(case when decision = 'send' then 1 else 0 end) as send_recipients,
        sum(case when decision = 'send' and is_converted then 1 else 0 end) as send_conversions,
        sum(case when decision = 'send' then revenue_in_window else 0 end) as send_revenue,
        sum(case when decision = 'holdout' then 1 else 0 end) as holdout_recipients,
        sum(case when decision = 'holdout' and is_converted then 1 else 0 end) as holdout_conversions,
        sum(case when decision = 'holdout' then revenue_in_window else 0 end) as holdout_revenue
    from outcomes
    group by flow_id
),

groups as (
    select
        flows.flow_id,
        flows.category,
        cast(coalesce(per_flow.send_recipients, 0) as {{ dbt.type_bigint() }}) as send_recipients,
        cast(coalesce(per_flow.send_conversions, 0) as {{ dbt.type_bigint() }}) as send_conversions,
        cast(coalesce(per_flow.send_revenue, 0) as {{ type_double() }}) as send_revenue,
        cast(coalesce(per_flow.holdout_recipients, 0) as {{ dbt.type_bigint() }}) as holdout_recipients,
        cast(coalesce(per_flow.holdout_conversions, 0) as {{ dbt.type_bigint() }}) as holdout_conversions,
        cast(coalesce(per_flow.holdout_revenue, 0) as {{ type_double() }}) as holdout_revenue
    from flows
    left join per_flow
        on flows.flow_id = per_flow.flow_id
),

rates as (
    select
        *,
        {{ safe_rate('send_conversions', 'send_recipients') }} as send_conversion_rate,
        {{ safe_rate('holdout_conversions', 'holdout_recipients') }} as holdout_conversion_rate,
        {{ safe_rate('send_revenue', 'send_recipients') }} as send_revenue_per_recipient,
        {{ safe_rate('holdout_revenue', 'holdout_recipients') }} as holdout_revenue_per_recipient,
        case
            when send_recipients > 0 and holdout_recipients > 0
                then {{ safe_rate(
                    'send_conversions + holdout_conversions',
                    'send_recipients + holdout_recipients'
                ) }}
        end as pooled_conversion_rate
    from groups
),

errors as (
    -- Only with both groups (pooled_conversion_rate is not null), so no division
    -- below is by zero (PostgreSQL raises an error where DuckDB and Spark give null).
    select
        *,
        send_conversion_rate - holdout_conversion_rate as uplift,
        case
            when pooled_conversion_rate is not null
                -- unpooled standard error of the difference (Wald interval)
                then sqrt(
                        send_conversion_rate * (1 - send_conversion_rate) / send_recipients
                        + holdout_conversion_rate * (1 - holdout_conversion_rate)
                        / holdout_recipients
                    )
        end as uplift_standard_error,
        case
            when pooled_conversion_rate is not null
                -- pooled standard error under "no difference" (the z-test)
                then sqrt(
                        pooled_conversion_rate * (1 - pooled_conversion_rate)
                        * (
                            cast(1 as {{ type_double() }}) / send_recipients
                            + cast(1 as {{ type_double() }}) / holdout_recipients
                        )
                    )
        end as null_standard_error,
        case
            when send_conversions > 0 and holdout_conversions > 0
                -- standard error of ln(send rate / holdout rate) (Katz)
                then sqrt(
                        (1 - send_conversion_rate) / send_conversions
                        + (1 - holdout_conversion_rate) / holdout_conversions
                    )
        end as log_ratio_standard_error
    from rates
),

tests as (
    select
        *,
        case
            when null_standard_error > 0 then abs(uplift) / null_standard_error
            when null_standard_error = 0 then 0
        end as abs_z
    from errors
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        flow_id,
        category,
        cast({{ uplift_period_start() }} as date) as period_start,
        cast({{ uplift_period_end() }} as date) as period_end,
        cast({{ window_days }} as {{ dbt.type_int() }}) as attribution_window_days,
        cast({{ min_group }} as {{ dbt.type_int() }}) as uplift_min_group_size,
        cast({{ min_outcomes }} as {{ dbt.type_int() }}) as uplift_min_outcomes,
        send_recipients,
        send_conversions,
        send_conversion_rate,
        send_revenue,
        send_revenue_per_recipient,
        holdout_recipients,
        holdout_conversions,
        holdout_conversion_rate,
        holdout_revenue,
        holdout_revenue_per_recipient,
        uplift,
        uplift - {{ z_95 }} * uplift_standard_error as uplift_ci_low,
        uplift + {{ z_95 }} * uplift_standard_error as uplift_ci_high,
        case
            when holdout_conversion_rate > 0
                then send_conversion_rate / holdout_conversion_rate - 1
        end as relative_uplift,
        case
            when log_ratio_standard_error is not null
                then exp(
                        ln(send_conversion_rate / holdout_conversion_rate)
                        - {{ z_95 }} * log_ratio_standard_error
                    ) - 1
        end as relative_uplift_ci_low,
        case
            when log_ratio_standard_error is not null
                then exp(
                        ln(send_conversion_rate / holdout_conversion_rate)
                        + {{ z_95 }} * log_ratio_standard_error
                    ) - 1
        end as relative_uplift_ci_high,
        {{ normal_two_sided_p_value('abs_z') }} as p_value,
        uplift * send_recipients as incremental_conversions,
        (send_revenue_per_recipient - holdout_revenue_per_recipient) * send_recipients
            as incremental_revenue,
        (
            send_recipients < {{ min_group }}
            or holdout_recipients < {{ min_group }}
            or send_conversions < {{ min_outcomes }}
            or holdout_conversions < {{ min_outcomes }}
            or send_recipients - send_conversions < {{ min_outcomes }}
            or holdout_recipients - holdout_conversions < {{ min_outcomes }}
        ) as is_too_small
    from tests
)

select
    *,
    coalesce(not is_too_small and p_value < 0.05, false) as is_significant
from final
