-- The rule of this flow is its doc block flow_welcome, in the .md file beside
-- this one: it shows in the docs of this model and of audience_welcome.
{%- set offsets = var('welcome_step_offsets') %}

with

consent as (
    select contact_id, first_opt_in_at
    from {{ ref('int_contact_consent') }}
    where first_opt_in_at is not null
),

customers as (
    select contact_id from {{ ref('int_contact_orders') }}
),

welcomed as (
    select
        consent.contact_id,
        consent.first_opt_in_at,
        case {{ days_ago('consent.first_opt_in_at') }}
            {%- for offset in offsets %}
                when {{ offset }} then {{ loop.index }}
            {%- endfor %}
        end as flow_step
    from consent
    left join customers
        on consent.contact_id = customers.contact_id
    where customers.contact_id is null
),

final as (
    select
        {{ trigger_columns('welcome', {
            'flow_step': 'flow_step',
            'contact_id': 'contact_id',
            'trigger_at': 'first_opt_in_at',
        }) | indent(8) }}
    from welcomed
    where flow_step is not null
)

select * from final
