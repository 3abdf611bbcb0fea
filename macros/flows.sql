{#-
    Shared building blocks of the follow-up flows.

    Every trigger model (models/intermediate/flows/int_triggers__<flow_id>.sql)
    yields at most one row per recipient for D with the same columns, so that
    int_flow_triggers can stack them and one set of global rules decides for
    all flows. A trigger model names the columns it fills; the others are null.
-#}

{% macro trigger_schema() -%}
    {{ return([
        ('flow_step', dbt.type_int()),
        ('contact_id', dbt.type_string()),
        ('email', dbt.type_string()),
        ('trigger_at', dbt.type_timestamp()),
        ('trigger_ref', dbt.type_string()),
        ('product_1_id', dbt.type_string()),
        ('product_2_id', dbt.type_string()),
        ('product_3_id', dbt.type_string()),
        ('bought_product_id', dbt.type_string()),
        ('cart_item_count', dbt.type_int()),
        ('cart_value', 'decimal(18, 2)'),
        ('expected_gap_days', dbt.type_int()),
        ('campaign_id', dbt.type_string()),
        ('message_id', dbt.type_string()),
        ('interaction_id', dbt.type_string()),
        ('interaction_type', dbt.type_string()),
    ]) }}
{%- endmacro %}

{#- The select list of a trigger model: flow_id, then every column of the
    trigger schema, from `values` (column -> SQL expression) or null. -#}
{% macro trigger_columns(flow_id, values) -%}
    '{{ flow_id }}' as flow_id,
    {%- for column, data_type in trigger_schema() %}
    cast({{ values.get(column, 'null') }} as {{ data_type }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Turn ranked products (one row per key and product, with product_rank 1..n)
    into product_1_id .. product_<n>_id columns per key. -#}
{% macro pivot_products(relation, key_columns, n=none) -%}
    {%- set n = n or var('flow_max_products') -%}
    select
        {{ key_columns | join(', ') }},
        {%- for i in range(1, n + 1) %}
        max(case when product_rank = {{ i }} then product_id end) as product_{{ i }}_id{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    where product_rank <= {{ n }}
    group by {{ key_columns | join(', ') }}
{%- endmacro %}

{#- D plus n working days (Monday to Friday), computed when the SQL is compiled. -#}
{% macro as_of_plus_working_days(n) -%}
    {%- set ns = namespace(day=modules.datetime.datetime.strptime(as_of_date_str(), '%Y-%m-%d'), left=n) -%}
    {%- for _ in range(n * 3 + 7) -%}
        {%- if ns.left > 0 -%}
            {%- set ns.day = ns.day + modules.datetime.timedelta(days=1) -%}
            {%- if ns.day.weekday() < 5 -%}
                {%- set ns.left = ns.left - 1 -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    cast('{{ ns.day.strftime("%Y-%m-%d") }}' as date)
{%- endmacro %}

{#- reactivation and win_back: customers whose last valid order has days_ago in
    [min_days, max_days] and with no engagement (real open, click, web event at
    recognition level >= 3) in the last var inactivity_days days. -#}
{% macro inactive_customer_trigger(flow_id, min_days, max_days) -%}
with

contact_orders as (
    select * from {{ ref('int_contact_orders') }}
    where last_valid_order_days_ago between {{ min_days }} and {{ max_days }}
),

engagement as (
    select * from {{ ref('int_contact_engagement') }}
),

inactive as (
    select contact_orders.*
    from contact_orders
    left join engagement
        on contact_orders.contact_id = engagement.contact_id
    where
        engagement.last_engagement_at is null
        or {{ days_ago('engagement.last_engagement_at') }} >= {{ var('inactivity_days') }}
),

final as (
    select
        {{ trigger_columns(flow_id, {
            'flow_step': '1',
            'contact_id': 'contact_id',
            'trigger_at': 'last_valid_order_at',
        }) | indent(8) }}
    from inactive
)

select * from final
{%- endmacro %}

{#- reminder_no_click (opened=true) and reminder_non_open (opened=false): a
    regular campaign sent var campaign_reminder_offset_days ago, opened (a real
    open) but not clicked, or neither opened nor clicked, at any time up to D;
    no reminder of either kind sent for that campaign to that contact yet. -#}
{% macro campaign_reminder_trigger(flow_id, opened) -%}
with

campaign_sends as (
    select * from {{ ref('int_email_sends') }}
    where
        email_type = 'marketing'
        and flow_id is null
        and campaign_id is not null
        and days_ago = {{ var('campaign_reminder_offset_days') }}
),

responses as (
    select
        message_id,
        case when cast(first_open_at as date) <= {{ as_of_date() }} then 1 else 0 end as was_opened,
        case when cast(first_click_at as date) <= {{ as_of_date() }} then 1 else 0 end as was_clicked
    from {{ ref('int_message_engagements') }}
),

earlier_reminders as (
    select distinct contact_id, campaign_id
    from {{ ref('int_email_sends') }}
    where flow_id in ('reminder_no_click', 'reminder_non_open')
),

candidates as (
    select
        campaign_sends.contact_id,
        campaign_sends.campaign_id,
        campaign_sends.message_id,
        campaign_sends.sent_at,
        row_number() over (
            partition by campaign_sends.contact_id
            order by campaign_sends.sent_at desc, campaign_sends.message_id asc
        ) as message_rank
    from campaign_sends
    left join responses
        on campaign_sends.message_id = responses.message_id
    left join earlier_reminders
        on
            campaign_sends.contact_id = earlier_reminders.contact_id
            and campaign_sends.campaign_id = earlier_reminders.campaign_id
    where
        earlier_reminders.contact_id is null
        and coalesce(responses.was_clicked, 0) = 0
        and coalesce(responses.was_opened, 0) = {{ 1 if opened else 0 }}
),

final as (
    select
        {{ trigger_columns(flow_id, {
            'flow_step': '1',
            'contact_id': 'contact_id',
            'trigger_at': 'sent_at',
            'trigger_ref': 'message_id',
            'campaign_id': 'campaign_id',
            'message_id': 'message_id',
        }) | indent(8) }}
    from candidates
    where message_rank = 1
)

select * from final
{%- endmacro %}

{#- The flows this project implements: each has a trigger model
    int_triggers__<flow_id> and an audience table audience_<flow_id>. Whether a
    flow runs, its priority, cooldown and holdout come from seed `flows`
    (tests/assert_flow_registry_matches_models.sql keeps the two in step). -#}
{% macro flow_ids() -%}
    {{ return([
        'abandoned_cart', 'welcome', 'customer_onboarding', 'browse_abandonment',
        'reminder_no_conversion', 'cross_sell_accessory', 'birthday', 'repeat_purchase',
        'lead_nurture', 'reactivation', 'win_back', 'reminder_no_click', 'reminder_non_open',
        'back_in_stock', 'post_purchase_service', 'complaint_follow_up', 'service_survey',
    ]) }}
{%- endmacro %}

{#- Configuration of the history tables (one partition of rows per as_of_date):
    a run for D replaces D's rows. delete+insert on DuckDB and PostgreSQL;
    insert_overwrite of the as_of_date partition on Spark and BigQuery. -#}
{% macro history_model_config() -%}
    {%- if target.type == 'spark' -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'insert_overwrite',
            'partition_by': ['as_of_date'],
            'file_format': 'parquet',
        }) }}
    {%- elif target.type == 'bigquery' -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'insert_overwrite',
            'partition_by': {'field': 'as_of_date', 'data_type': 'date'},
        }) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'unique_key': 'as_of_date',
        }) }}
    {%- endif -%}
{%- endmacro %}
