-- Per run date D: the RFM grid, one row per (R score, F score) cell with
-- customers: how many, their average monetary value, and the cell's most common
-- RFM segment (alphabetically first on a tie). Only counts and averages are
-- kept. History: a run for D replaces D's rows and keeps the other days.
{{ config(
    on_schema_change='fail',
    **history_model_config()
) }}

with

rfm as (
    select * from {{ ref('contact_rfm') }}
),

cells as (
    select
        r_score,
        f_score,
        count(*) as contacts,
        avg(cast(monetary as {{ type_double() }})) as avg_monetary
    from rfm
    group by r_score, f_score
),

cell_segments as (
    select
        r_score,
        f_score,
        rfm_segment,
        row_number() over (
            partition by r_score, f_score
            order by count(*) desc, rfm_segment
        ) as segment_rank
    from rfm
    group by r_score, f_score, rfm_segment
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        cast(cells.r_score as {{ dbt.type_int() }}) as r_score,
        cast(cells.f_score as {{ dbt.type_int() }}) as f_score,
        cast(cells.contacts as {{ dbt.type_bigint() }}) as contacts,
        cells.avg_monetary,
        cell_segments.rfm_segment
    from cells
    left join cell_segments
        on
            cells.r_score = cell_segments.r_score
            and cells.f_score = cell_segments.f_score
            and cell_segments.segment_rank = 1
)

select * from final
