{#-
    Ledgers: protective state that only grows.

    Erasures, ESP suppressions, opt-outs, unsubscribes, hard bounces and spam
    complaints are recorded the first time a build sees them and kept from then
    on, even when a later delivery of the raw table lacks them (an EL tool that
    truncated a table, an export that failed upstream). A ledger is an
    append-only incremental model that `dbt build --full-refresh` never rebuilds
    (full_refresh: false): dropping its table is the only way to forget.
-#}
{% macro ledger_model_config() -%}
    {%- set config = {
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'full_refresh': false,
        'on_schema_change': 'fail',
    } -%}
    {%- if target.type == 'spark' -%}
        {%- do config.update({'file_format': 'parquet'}) -%}
    {%- endif -%}
    {{ return(config) }}
{%- endmacro %}

{#- The time a ledger row was recorded: the start of this dbt invocation. -#}
{% macro ledger_recorded_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- The rows a ledger recorded in earlier builds (`columns` of this model), or
    none in the first build: then `empty_expressions` (the same columns) are
    selected from `empty_relation` with no row. -#}
{% macro ledger_recorded(columns, empty_relation, empty_expressions=none) -%}
    {%- if is_incremental() -%}
        select {{ columns | join(', ') }} from {{ this }}
    {%- else -%}
        select {{ (empty_expressions or columns) | join(', ') }} from {{ empty_relation }} where 1 = 0
    {%- endif -%}
{%- endmacro %}

{#- CTEs reached_1 .. reached_<steps>: the nodes of `start_cte` (reached_0)
    followed through `links_cte` (node -> linked, every node linked to itself)
    one step at a time, each step one join on the step before. Ends with a
    comma: the model's next CTE follows. -#}
{% macro follow_links_ctes(links_cte, steps) -%}
    {%- for step in range(1, steps + 1) %}
reached_{{ step }} as (
    select distinct {{ links_cte }}.linked as node
    from reached_{{ step - 1 }} as reached
    inner join {{ links_cte }}
        on reached.node = {{ links_cte }}.node
),
    {% endfor -%}
{%- endmacro %}
