{#-
    The audience tables: one per flow, audience_<flow_id>, with the 'send' rows of
    D and everything the export needs to personalise the mail, as flat columns.
    Every table starts with the same recipient columns; `columns` (column, SQL
    expression, type: text, int, money, date) is what the flow adds. The models
    calling this are generated from the registry (followup/flows.py).
-#}
{% macro audience_table(flow_id, columns) -%}
{%- set n = flow_setting(flow_id, 'products') %}
with

decisions as (
    select * from {{ ref('flow_decisions') }}
    where
        flow_id = '{{ flow_id }}'
        and decision = 'send'
),

contacts as (
    select * from {{ ref('dim_contacts') }}
),

orders as (
    select * from {{ ref('int_contact_orders') }}
),

products as (
    select * from {{ ref('stg_raw__products') }}
),

overall_send_hour as (
    select send_hour from {{ ref('int_overall_send_hour') }}
),

final as (
    select
        decisions.as_of_date,
        decisions.contact_id,
        decisions.email,
        decisions.flow_id,
        cast(decisions.flow_step as {{ dbt.type_int() }}) as flow_step,
        contacts.first_name,
        contacts.last_name,
        contacts.gender,
        coalesce(contacts.language, '{{ var("default_language") }}') as language,
        cast(coalesce(contacts.preferred_send_hour, overall_send_hour.send_hour) as {{ dbt.type_int() }})
            as preferred_send_hour
        {%- for column, expression, data_type in columns %},
        cast({{ expression }} as {{ flow_column_type(data_type) }}) as {{ column }}
        {%- endfor %}
    from decisions
    left join contacts
        on decisions.contact_id = contacts.contact_id
    left join orders
        on decisions.contact_id = orders.contact_id
    left join overall_send_hour
        on 1 = 1
    {%- for i in range(1, n + 1) %}
    left join products as p{{ i }}
        on decisions.product_{{ i }}_id = p{{ i }}.product_id
    {%- endfor %}
    left join products as bought
        on decisions.bought_product_id = bought.product_id
)

select * from final
{%- endmacro %}
