-- Stage changes between consecutive run dates of contact_lifecycle_history:
-- for every run date, the contacts whose stage differs from their stage on the
-- previous run date (e.g. lead -> new_customer: "became a customer").
with

history as (
    select * from {{ ref('contact_lifecycle_history') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

run_dates as (
    select
        as_of_date,
        lag(as_of_date) over (order by as_of_date) as previous_as_of_date
    from (select distinct as_of_date from history) as dates
),

changes as (
    select
        current_run.contact_id,
        run_dates.previous_as_of_date as from_date,
        current_run.as_of_date as to_date,
        previous_run.lifecycle_stage as from_stage,
        current_run.lifecycle_stage as to_stage,
        previous_run.is_customer as was_customer,
        current_run.is_customer
    from history as current_run
    inner join run_dates
        on current_run.as_of_date = run_dates.as_of_date
    inner join history as previous_run
        on
            current_run.contact_id = previous_run.contact_id
            and run_dates.previous_as_of_date = previous_run.as_of_date
    where current_run.lifecycle_stage <> previous_run.lifecycle_stage
),

final as (
    select
        changes.contact_id,
        changes.from_date,
        changes.to_date,
        changes.from_stage,
        changes.to_stage,
        case
            when not changes.was_customer and changes.is_customer then 'became a customer'
            when changes.was_customer and not changes.is_customer then 'no longer a customer'
            when to_stages.stage_order < from_stages.stage_order then 'warming up'
            else 'cooling down'
        end as transition
    from changes
    left join stages as from_stages
        on changes.from_stage = from_stages.stage
    left join stages as to_stages
        on changes.to_stage = to_stages.stage
)

select * from final
