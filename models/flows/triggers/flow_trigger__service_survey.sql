-- The rule of this flow is its doc block flow_service_survey, in the .md file beside
-- this one: it shows in the docs of this model and of audience_service_survey.
with

closed as (
    select
        *,
        row_number() over (
            partition by contact_id
            order by closed_at desc, interaction_id asc
        ) as interaction_rank
    from {{ ref('stg_raw__service_interactions') }}
    where
        closed_at is not null
        and {{ days_ago('closed_at') }} = {{ var('survey_offset_days') }}
        and cast(opened_at as date) <= {{ as_of_date() }}
),

final as (
    select
        {{ trigger_columns('service_survey', {
            'flow_step': '1',
            'contact_id': 'closed.contact_id',
            'trigger_at': 'closed.closed_at',
            'trigger_ref': 'closed.interaction_id',
            'interaction_id': 'closed.interaction_id',
            'interaction_type': 'closed.interaction_type',
            'product_1_id': 'products.product_id',
        }) | indent(8) }}
    from closed
    left join {{ ref('stg_raw__products') }} as products
        on closed.product_id = products.product_id
    where closed.interaction_rank = 1
)

select * from final
