{#-
    Shared building blocks of the follow-up flows.

    Every trigger model (models/flows/triggers/flow_trigger__<flow_id>.sql) yields
    at most one row per recipient for D with the same columns, so that
    flow_triggers can stack them and one set of global rules (flow_decisions)
    decides for all flows. A trigger model names the columns it fills; the others
    are null. The flows, their settings and the payload columns come from the
    registry (seeds/flows.csv, generated into macros/_flow_registry.sql).
-#}

{#- The SQL type of a registry column type. -#}
{% macro flow_column_type(name) -%}
    {{ return({
        'text': dbt.type_string(),
        'int': dbt.type_int(),
        'money': 'decimal(18, 2)',
        'date': 'date',
        'timestamp': dbt.type_timestamp(),
    }[name]) }}
{%- endmacro %}

{#- Every column of a trigger model after flow_id: (column, SQL type). -#}
{% macro trigger_schema() -%}
    {%- set columns = [
        ('flow_step', dbt.type_int()),
        ('contact_id', dbt.type_string()),
        ('email', dbt.type_string()),
        ('trigger_at', dbt.type_timestamp()),
        ('trigger_ref', dbt.type_string()),
    ] -%}
    {%- for column, data_type in flow_payload_columns() -%}
        {%- do columns.append((column, flow_column_type(data_type))) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- The payload column names (what flow_triggers and flow_decisions pass on). -#}
{% macro flow_payload_names() -%}
    {%- set names = [] -%}
    {%- for column, data_type in flow_payload_columns() -%}
        {%- do names.append(column) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- The flow ids of the registry, in its order. -#}
{% macro flow_ids() -%}
    {%- set ids = [] -%}
    {%- for flow in flow_registry() -%}
        {%- do ids.append(flow.flow_id) -%}
    {%- endfor -%}
    {{ return(ids) }}
{%- endmacro %}

{#- A setting of a flow from the registry (category, recipient, products). -#}
{% macro flow_setting(flow_id, key) -%}
    {%- for flow in flow_registry() if flow.flow_id == flow_id -%}
        {{ return(flow[key]) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("flow " ~ flow_id ~ " is not in the registry (seeds/flows.csv)") }}
{%- endmacro %}

{#- The select list of a trigger model: flow_id, then every column of the
    trigger schema, from `values` (column -> SQL expression) or null. The key
    'products' names a relation with product_1_id .. product_<n>_id (from
    pivot_products): the flow's n products of the registry. -#}
{% macro trigger_columns(flow_id, values) -%}
    {%- set values = values.copy() -%}
    {%- if 'products' in values -%}
        {%- for i in range(1, flow_setting(flow_id, 'products') + 1) -%}
            {%- do values.update({'product_' ~ i ~ '_id': values['products'] ~ '.product_' ~ i ~ '_id'}) -%}
        {%- endfor -%}
    {%- endif -%}
    '{{ flow_id }}' as flow_id,
    {%- for column, data_type in trigger_schema() %}
    cast({{ values.get(column, 'null') }} as {{ data_type }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Turn ranked products (one row per key and product, with product_rank 1..n)
    into product_1_id .. product_<n>_id columns per key, n = the flow's products. -#}
{% macro pivot_products(relation, key_columns, flow_id) -%}
    {%- set n = flow_setting(flow_id, 'products') -%}
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

{#- `columns` as a select list (optionally qualified by `alias`), one per line. -#}
{% macro select_columns(columns, alias=none) -%}
    {%- for column in columns -%}
        {{ alias ~ '.' if alias }}{{ column }}{{ ',\n        ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
