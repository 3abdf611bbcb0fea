-- One row per day from 2015-01-01 to 2040-12-31: the time spine MetricFlow (the
-- dbt semantic layer) joins to for metrics over time. Fixed bounds, so the table
-- does not depend on the day it is built.
with

days as (
    {{ dbt.date_spine(
        datepart="day",
        start_date="cast('2015-01-01' as date)",
        end_date="cast('2041-01-01' as date)"
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
