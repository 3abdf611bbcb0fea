-- RFM scores of every customer with a valid order in the lookback window
-- (var rfm_lookback_days, default 730: days_ago <= 729).
--   recency_days  days since the last valid order
--   frequency     valid orders in the window
--   monetary      sum of total_amount of those orders (regardless of currency)
-- Each becomes a score 1-5 without randomness, ties always scored alike:
-- score = ceil(5 * c / n), n = scored customers, c = scored customers whose value
-- is at most this one's (for recency: whose recency_days is at least this one's,
-- so the most recent buyers score 5). Exact integer arithmetic on every engine.
-- The segment is the first rule of seed rfm_segments (in rule_order) that holds.
with

valid_orders as (
    select * from {{ ref('int_valid_orders') }}
    where
        contact_id is not null
        and days_ago <= {{ var('rfm_lookback_days') }} - 1
),

customers as (
    select
        contact_id,
        cast(min(days_ago) as {{ dbt.type_int() }}) as recency_days,
        cast(count(*) as {{ dbt.type_int() }}) as frequency,
        cast(sum(total_amount) as decimal(18, 2)) as monetary
    from valid_orders
    group by contact_id
),

ranked as (
    select
        contact_id,
        recency_days,
        frequency,
        monetary,
        count(*) over () as scored_customers,
        -- the default frame (range up to the current row) counts ties alike
        count(*) over (order by recency_days desc) as recency_rank,
        count(*) over (order by frequency) as frequency_rank,
        count(*) over (order by monetary) as monetary_rank
    from customers
),

scored as (
    select
        contact_id,
        recency_days,
        frequency,
        monetary,
        {{ quintile_score('recency_rank', 'scored_customers') }} as r_score,
        {{ quintile_score('frequency_rank', 'scored_customers') }} as f_score,
        {{ quintile_score('monetary_rank', 'scored_customers') }} as m_score
    from ranked
),

segments as (
    {{ rfm_segment_lookup('scored', 'contact_id') }}
),

final as (
    select
        scored.contact_id,
        {{ as_of_date() }} as as_of_date,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        cast(scored.r_score as {{ dbt.type_string() }})
        || cast(scored.f_score as {{ dbt.type_string() }})
        || cast(scored.m_score as {{ dbt.type_string() }}) as rfm_cell,
        segments.segment as rfm_segment
    from scored
    left join segments
        on scored.contact_id = segments.contact_id
)

select * from final
