{#-
    The audience tables: one per flow, audience_<flow_id>, with the 'send' rows of
    D and everything the export needs to personalise the mail, as flat columns.
    Every table starts with the same recipient columns; audience_extra_columns()
    lists what each flow adds.
-#}

{#- Product columns product_<i>_id, _name, _url, _image_url, _price (and
    _manual_url) for i in 1..n, read from products joined as p<i>. -#}
{% macro product_columns(n, with_manual=false) -%}
    {%- set columns = [] -%}
    {%- for i in range(1, n + 1) -%}
        {%- do columns.append(('product_' ~ i ~ '_id', 'p' ~ i ~ '.product_id', 'text')) -%}
        {%- do columns.append(('product_' ~ i ~ '_name', 'p' ~ i ~ '.name', 'text')) -%}
        {%- do columns.append(('product_' ~ i ~ '_url', 'p' ~ i ~ '.url', 'text')) -%}
        {%- do columns.append(('product_' ~ i ~ '_image_url', 'p' ~ i ~ '.image_url', 'text')) -%}
        {%- do columns.append(('product_' ~ i ~ '_price', 'p' ~ i ~ '.price', 'money')) -%}
        {%- if with_manual -%}
            {%- do columns.append(('product_' ~ i ~ '_manual_url', 'p' ~ i ~ '.manual_url', 'text')) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- What each flow adds to the recipient columns: (column, SQL expression, type:
    text, int, money or date). -#}
{% macro audience_extra_columns(flow_id) -%}
    {%- set n = var('flow_max_products') -%}
    {%- set days_since_last_order = ('days_since_last_order', 'orders.last_valid_order_days_ago', 'int') -%}
    {%- set top_category = ('top_category', 'contacts.top_category', 'text') -%}
    {%- set columns = {
        'abandoned_cart': product_columns(n) + [
            ('cart_item_count', 'decisions.cart_item_count', 'int'),
            ('cart_value', 'decisions.cart_value', 'money'),
        ],
        'welcome': [],
        'customer_onboarding': product_columns(n),
        'browse_abandonment': product_columns(1),
        'reminder_no_conversion': product_columns(1),
        'cross_sell_accessory': [
            ('bought_product_id', 'bought.product_id', 'text'),
            ('bought_product_name', 'bought.name', 'text'),
            ('bought_product_url', 'bought.url', 'text'),
            ('bought_product_image_url', 'bought.image_url', 'text'),
            ('bought_product_price', 'bought.price', 'money'),
        ] + product_columns(n),
        'birthday': [
            ('age', date_part_int('year', as_of_date()) ~ ' - ' ~ date_part_int('year', 'contacts.birth_date'), 'int'),
        ],
        'repeat_purchase': [
            ('expected_gap_days', 'decisions.expected_gap_days', 'int'),
            days_since_last_order,
            top_category,
        ],
        'lead_nurture': [('lead_band', 'contacts.lead_band', 'text'), top_category],
        'reactivation': [days_since_last_order, top_category],
        'win_back': [days_since_last_order, top_category],
        'reminder_no_click': [('campaign_id', 'decisions.campaign_id', 'text'), ('message_id', 'decisions.message_id', 'text')],
        'reminder_non_open': [('campaign_id', 'decisions.campaign_id', 'text'), ('message_id', 'decisions.message_id', 'text')],
        'back_in_stock': product_columns(n),
        'post_purchase_service': [('order_id', 'decisions.trigger_ref', 'text')] + product_columns(n, with_manual=true),
        'complaint_follow_up': [
            ('interaction_id', 'decisions.interaction_id', 'text'),
            ('expected_response_working_days', var('complaint_response_working_days'), 'int'),
            ('expected_response_date', as_of_plus_working_days(var('complaint_response_working_days')), 'date'),
        ] + product_columns(1),
        'service_survey': [
            ('interaction_id', 'decisions.interaction_id', 'text'),
            ('interaction_type', 'decisions.interaction_type', 'text'),
        ] + product_columns(1),
    } -%}
    {{ return(columns[flow_id]) }}
{%- endmacro %}

{% macro audience_table(flow_id) -%}
{%- set n = var('flow_max_products') %}
with

decisions as (
    select * from {{ ref('int_flow_decisions') }}
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
        {%- for column, expression, data_type in audience_extra_columns(flow_id) %},
        cast({{ expression }} as {{ audience_type(data_type) }}) as {{ column }}
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

{% macro audience_type(name) -%}
    {%- set types = {
        'text': dbt.type_string(),
        'int': dbt.type_int(),
        'money': 'decimal(18, 2)',
        'date': 'date',
    } -%}
    {{ return(types[name]) }}
{%- endmacro %}
