-- complaint_follow_up on D (service): a complaint opened today (var
-- complaint_offset_days). Per contact the latest opened_at, then the smallest
-- interaction_id. The audience adds the expected response date.
with

complaints as (
    select
        *,
        row_number() over (
            partition by contact_id
            order by opened_at desc, interaction_id asc
        ) as interaction_rank
    from {{ ref('stg_raw__service_interactions') }}
    where
        interaction_type = 'complaint'
        and {{ days_ago('opened_at') }} = {{ var('complaint_offset_days') }}
),

final as (
    select
        {{ trigger_columns('complaint_follow_up', {
            'flow_step': '1',
            'contact_id': 'complaints.contact_id',
            'trigger_at': 'complaints.opened_at',
            'trigger_ref': 'complaints.interaction_id',
            'interaction_id': 'complaints.interaction_id',
            'interaction_type': 'complaints.interaction_type',
            'product_1_id': 'products.product_id',
        }) | indent(8) }}
    from complaints
    left join {{ ref('stg_raw__products') }} as products
        on complaints.product_id = products.product_id
    where complaints.interaction_rank = 1
)

select * from final
