-- Nothing is lost silently: for every raw table,
--   raw rows = staged rows + quarantined rows + erased rows.
-- Returns one row per table where the counts do not add up.
{%- set tables = raw_table_names() %}

with

counts as (
    {% for table in tables -%}
        {% if not loop.first -%} union all {%- endif %}
        select
            '{{ table }}' as source_table,
            (select count(*) from {{ source('raw', table) }}) as raw_rows,
            (select count(*) from {{ ref('stg_raw__' ~ table) }}) as staged_rows,
            (
                select count(*) from {{ ref('stg_quarantine') }}
                where source_table = '{{ table }}'
            ) as quarantined_rows,
            (
                select count(*) from {{ ref('base_raw__' ~ table) }}
                where row_fate = 'erased'
            ) as erased_rows
    {% endfor -%}
)

select *
from counts
where raw_rows <> staged_rows + quarantined_rows + erased_rows
