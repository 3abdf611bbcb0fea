-- lead_nurture on D: a contact that is not a customer and whose lead band is
-- warm or hot. Sales-ready leads go to sales_handoff instead.
with

lifecycle as (
    select * from {{ ref('contact_lifecycle') }}
    where
        not is_customer
        and lead_band in ('warm', 'hot')
),

final as (
    select
        {{ trigger_columns('lead_nurture', {
            'flow_step': '1',
            'contact_id': 'contact_id',
            'trigger_ref': 'lead_band',
        }) | indent(8) }}
    from lifecycle
)

select * from final
