-- One row per well-formed erasure request (the legal record).
with

erasure_requests as (
    select * from {{ ref('base_raw__erasure_requests') }}
    where row_fate = 'staged'
),

final as (
    select
        request_id,
        contact_id,
        email,
        requested_at
    from erasure_requests
)

select * from final
