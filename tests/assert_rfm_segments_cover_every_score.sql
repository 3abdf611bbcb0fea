-- Every one of the 125 (r, f, m) score combinations gets exactly one segment
-- from seed rfm_segments, through the same first-match lookup contact_rfm uses.
-- Returns the combinations without a segment.
with

scores as (
    select 1 as score
    union all
    select 2 as score
    union all
    select 3 as score
    union all
    select 4 as score
    union all
    select 5 as score
),

combinations as (
    select
        r.score as r_score,
        f.score as f_score,
        m.score as m_score,
        r.score * 100 + f.score * 10 + m.score as rfm_cell
    from scores as r
    cross join scores as f
    cross join scores as m
),

segments as (
    {{ rfm_segment_lookup('combinations', 'rfm_cell') }}
),

counted as (
    select
        combinations.rfm_cell,
        count(segments.segment) as segment_count
    from combinations
    left join segments
        on combinations.rfm_cell = segments.rfm_cell
    group by combinations.rfm_cell
)

select *
from counted
where segment_count <> 1 or (select count(*) from combinations) <> 125
