-- The rule of this flow is its doc block flow_complaint_follow_up, in the .md file beside
-- this one: it shows in the docs of this model and of audience_complaint_follow_up.
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
