-- The rule of this flow is its doc block flow_lead_nurture, in the .md file beside
-- this one: it shows in the docs of this model and of audience_lead_nurture.
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
