{#-
    The state tables of source followup_state (models/staging/followup_state/_followup_state__sources.yml):
    created when missing at the start of every dbt invocation, never dropped.
-#}
{% macro create_state_tables() -%}
    {%- if execute -%}
        {%- set tables = [] -%}
        {%- for node in graph.sources.values() if node.source_name == 'followup_state' -%}
            {%- do tables.append(node) -%}
        {%- endfor -%}
        {%- if tables -%}
            {%- do adapter.create_schema(api.Relation.create(database=tables[0].database, schema=tables[0].schema)) -%}
        {%- endif -%}
        {%- for node in tables -%}
            {%- set columns = [] -%}
            {%- for column in node.columns.values() -%}
                {%- do columns.append(column.name ~ ' ' ~ contract_type(column.data_type)) -%}
            {%- endfor -%}
            {%- set relation = api.Relation.create(database=node.database, schema=node.schema, identifier=node.identifier) -%}
            {%- call statement('create_state_table', auto_begin=True) -%}
                {{ create_table_if_missing_sql(relation, columns) }}
            {%- endcall -%}
        {%- endfor -%}
        {#- a hook's own queries are not committed by dbt -#}
        {%- do adapter.commit() -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro create_table_if_missing_sql(relation, columns) -%}
    {{ return(adapter.dispatch('create_table_if_missing_sql', 'followup')(relation, columns)) }}
{%- endmacro %}

{% macro default__create_table_if_missing_sql(relation, columns) -%}
    create table if not exists {{ relation }} ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__create_table_if_missing_sql(relation, columns) -%}
    create table if not exists {{ relation }} ({{ columns | join(', ') }}) using parquet
{%- endmacro %}

{#- The SQL type of a portable contract type (text, integer, decimal(18,2),
    boolean, date, timestamp) on the target engine. -#}
{% macro contract_type(name) -%}
    {%- set types = {
        'text': dbt.type_string(),
        'integer': dbt.type_int(),
        'double': type_double(),
        'decimal(18,2)': 'decimal(18, 2)',
        'boolean': dbt.type_boolean(),
        'date': 'date',
        'timestamp': dbt.type_timestamp(),
    } -%}
    {{ return(types[name]) }}
{%- endmacro %}

{#-
    Erasure reaches the state tables too: at the end of every invocation that
    built the erasure lists, the send-log rows and suppression lifts of erased
    people are deleted, and so are their prediction scores. (On Spark only
    `followup predict` writes here, and it replaces every score row from the
    summary, which holds no erased person.)
-#}
{% macro purge_erased_state() -%}
    {{ return(adapter.dispatch('purge_erased_state', 'followup')()) }}
{%- endmacro %}

{% macro default__purge_erased_state() -%}
    {%- if execute -%}
        {#- relations by name, not ref(): a hook is not part of the DAG -#}
        {%- set ledger = adapter.get_relation(
            database=target.database, schema=target.schema, identifier='base_erasure_ledger') -%}
        {%- set send_log = adapter.get_relation(
            database=target.database, schema=target.schema ~ '_state', identifier='send_log') -%}
        {%- set lifts = adapter.get_relation(
            database=target.database, schema=target.schema ~ '_state', identifier='suppression_lifts') -%}
        {%- if ledger is not none and send_log is not none and lifts is not none -%}
            {%- call statement('purge_send_log', auto_begin=True) -%}
                delete from {{ send_log }}
                where
                    contact_id in (select subject from {{ ledger }} where subject_type = 'contact')
                    or email_sha256 in (select subject from {{ ledger }} where subject_type = 'email')
            {%- endcall -%}
            {%- call statement('purge_lifts', auto_begin=True) -%}
                delete from {{ lifts }}
                where email_sha256 in (select subject from {{ ledger }} where subject_type = 'email')
            {%- endcall -%}
            {%- set scores = adapter.get_relation(
                database=target.database, schema=target.schema ~ '_state', identifier='prediction_scores') -%}
            {%- if scores is not none -%}
                {%- call statement('purge_prediction_scores', auto_begin=True) -%}
                    delete from {{ scores }}
                    where contact_id in (select subject from {{ ledger }} where subject_type = 'contact')
                {%- endcall -%}
            {%- endif -%}
            {#- a hook's own queries are not committed by dbt -#}
            {%- do adapter.commit() -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro spark__purge_erased_state() -%}
    select 1
{%- endmacro %}
