-- Every raw row that staging could not use, with the raw table it came from,
-- the row's key and the reason. Nothing is dropped silently: for every raw
-- table, raw rows = staged rows + quarantined rows + erased rows (tested by
-- tests/assert_raw_rows_reconcile.sql).
--
-- Reasons: missing_key, missing_value, invalid_value (an unknown code),
-- exact_duplicate (an identical copy), conflicting_duplicate (differing rows
-- share a key), superseded_duplicate and ambiguous_duplicate (contacts),
-- negative_amount, unknown_contact, unknown_order.
{%- set tables = raw_table_names() %}

with

unioned as (
    {% for table in tables -%}
        {% if not loop.first -%} union all {%- endif %}
        select
            '{{ table }}' as source_table,
            row_key,
            row_fate as reason,
            fate_detail as detail,
            row_fingerprint
        from {{ ref('base_raw__' ~ table) }}
        where row_fate not in ('staged', 'erased')
    {% endfor -%}
),

final as (
    select
        {{ dbt.hash("source_table || '|' || row_fingerprint") }} as quarantine_id,
        source_table,
        row_key,
        reason,
        detail
    from unioned
)

select * from final
