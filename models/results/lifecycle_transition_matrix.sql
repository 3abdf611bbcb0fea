-- Per run date D: the lifecycle transition matrix, from stage -> to stage with the
-- number of contacts, staying put included (from = to). Two periods:
--   'day'     stages on D against the previous run date;
--   'period'  stages on D against the latest run date at least
--             lifecycle_transition_period_days before D (the first run date, if
--             the history is shorter).
-- Contacts in contact_lifecycle_history on both dates count; share_of_from_stage
-- is the share of the from stage's contacts that moved to the to stage. On the
-- first run date there is nothing to compare with and no row. Only counts are
-- kept. History: a run for D replaces D's rows and keeps the other days.
{{ config(
    on_schema_change='fail',
    **history_model_config()
) }}
{%- set period_days = var('lifecycle_transition_period_days') | int %}

with

history as (
    select * from {{ ref('contact_lifecycle_history') }}
),

run_dates as (
    select distinct as_of_date from history
    where as_of_date < {{ as_of_date() }}
),

compared_dates as (
    select
        'day' as period,
        max(as_of_date) as from_date
    from run_dates
    union all
    select
        'period' as period,
        coalesce(
            max(
                case
                    when as_of_date <= {{ dbt.dateadd('day', -period_days, as_of_date()) }}
                        then as_of_date
                end
            ),
            min(as_of_date)
        ) as from_date
    from run_dates
),

today as (
    select
        contact_id,
        lifecycle_stage
    from history
    where as_of_date = {{ as_of_date() }}
),

moves as (
    select
        compared_dates.period,
        compared_dates.from_date,
        earlier.lifecycle_stage as from_stage,
        today.lifecycle_stage as to_stage,
        count(*) as contacts
    from compared_dates
    inner join history as earlier
        on compared_dates.from_date = earlier.as_of_date
    inner join today
        on earlier.contact_id = today.contact_id
    group by
        compared_dates.period,
        compared_dates.from_date,
        earlier.lifecycle_stage,
        today.lifecycle_stage
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        period,
        cast(from_date as date) as from_date,
        from_stage,
        to_stage,
        cast(contacts as {{ dbt.type_bigint() }}) as contacts,
        cast(contacts as {{ type_double() }})
        / sum(contacts) over (partition by period, from_stage) as share_of_from_stage
    from moves
)

select * from final
