-- One row per usable customer service interaction.
with

service_interactions as (
    select * from {{ ref('base_raw__service_interactions') }}
    where row_fate = 'staged'
),

final as (
    select
        interaction_id,
        contact_id,
        interaction_type,
        channel,
        opened_at,
        closed_at,
        product_id
    from service_interactions
)

select * from final
