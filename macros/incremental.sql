{#-
    Incremental processing of the large, append-only event tables.

    A daily run reprocesses only the raw events of the last
    var('incremental_lookback_days') days (default 3, so late-arriving events are
    picked up) and the rows whose fate changed since the last run (a new erasure,
    a contact that appeared or became unknown). `dbt run --full-refresh` rebuilds
    everything and gives the same rows.

    Every row an incremental base table writes or changes carries the dbt
    invocation_id in `processed_by`; the models derived from it recompute exactly
    the visitors or messages that have such rows.

    On Spark (Parquet tables without UPDATE or DELETE) these models are plain
    tables, rebuilt every run.
-#}

{#- Config of an incremental base table of events, dated by `occurred_on`. -#}
{% macro event_base_config() -%}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'unique_key': 'occurred_on',
            'on_schema_change': 'fail',
        }) }}
    {%- endif -%}
{%- endmacro %}

{#- Config of a table derived per visitor or per message: the rows of the keys
    touched in this run are deleted (pre-hook) and recomputed (append). -#}
{% macro derived_incremental_config() -%}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'append',
            'on_schema_change': 'fail',
        }) }}
    {%- endif -%}
{%- endmacro %}

{#- The date that rows before are left alone in an incremental run: the latest
    occurred_on already loaded minus the lookback. -#}
{% macro incremental_cutoff_date() -%}
    (
        select {{ dbt.dateadd('day', -1 * var('incremental_lookback_days'), 'max(occurred_on)') }}
        from {{ this }}
        where occurred_on > {{ unknown_date() }}
    )
{%- endmacro %}

{#- occurred_on of rows without a timestamp (they are reprocessed every run). -#}
{% macro unknown_date() -%}
    date '1900-01-01'
{%- endmacro %}

{#- Raw rows to (re)process: all of them in a full build; in an incremental run
    those of the lookback window and those without a timestamp. -#}
{% macro incremental_event_filter(timestamp_column) -%}
    {%- if is_incremental() %}
where
    {{ timestamp_column }} is null
    or cast({{ timestamp_column }} as date) >= {{ incremental_cutoff_date() }}
    {%- endif -%}
{%- endmacro %}

{#- The run that wrote or last changed a row. -#}
{% macro current_run_id() -%}
    '{{ invocation_id }}'
{%- endmacro %}

{#-
    Post-hooks of an incremental base table of contact-keyed events: rows whose
    fate depends on other tables are brought up to date, so that the table
    equals a full rebuild:
      * rows of a contact erased since are turned into tombstones;
      * staged rows whose contact is no longer a staged contact become
        unknown_contact, and unknown_contact rows whose contact is now staged
        become staged.
    Changed rows get processed_by = this run, so derived models recompute them.
-#}
{% macro refresh_contact_fates(relation, columns) -%}
    {%- if execute and target.type != 'spark' and not flags.FULL_REFRESH -%}
        {%- set erased = ref('base_erased_contacts') -%}
        {%- set staged_contacts = ref('stg_raw__contacts') -%}
        {%- set tombstone %}
            update {{ relation }}
            set
                {% for column in columns -%}
                {{ column }} = null,
                {% endfor -%}
                row_key = null,
                row_fingerprint = null,
                fate_detail = null,
                row_fate = 'erased',
                processed_by = {{ current_run_id() }}
            where
                row_fate <> 'erased'
                and contact_id in (select contact_id from {{ erased }})
        {%- endset %}
        {%- set now_unknown %}
            update {{ relation }}
            set
                row_fate = 'unknown_contact',
                fate_detail = 'contact_id = ' || contact_id,
                row_fingerprint = {{ row_fingerprint(columns + ['occurrence']) }},
                processed_by = {{ current_run_id() }}
            where
                row_fate = 'staged'
                and contact_id is not null
                and contact_id not in (select contact_id from {{ staged_contacts }})
        {%- endset %}
        {%- set now_staged %}
            update {{ relation }}
            set
                row_fate = 'staged',
                fate_detail = null,
                row_fingerprint = null,
                processed_by = {{ current_run_id() }}
            where
                row_fate = 'unknown_contact'
                and contact_id in (select contact_id from {{ staged_contacts }})
        {%- endset %}
        {%- do run_query(tombstone) -%}
        {%- do run_query(now_unknown) -%}
        {%- do run_query(now_staged) -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#- Pre-hook of a derived incremental table: delete the rows of the keys (visitor
    or message) that have base rows written or changed in this run. -#}
{% macro delete_touched_keys(relation, key, base_relation) -%}
    {%- if execute and is_incremental() -%}
        delete from {{ relation }}
        where {{ key }} in (
            select {{ key }} from {{ base_relation }}
            where processed_by = {{ current_run_id() }} and {{ key }} is not null
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The condition on a derived incremental table's rows: in an incremental run
    only the touched keys; in a full build every row (true). -#}
{% macro touched_keys_condition(key, base_relation, alias=none) -%}
    {%- if is_incremental() -%}
    {{ alias ~ '.' if alias }}{{ key }} in (
        select {{ key }} from {{ base_relation }}
        where processed_by = {{ current_run_id() }} and {{ key }} is not null
    )
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of int_web_events_recognised_all_time: the visitors with events attributed
    to a contact erased since are recomputed from the staged events (the erased
    contact's own events are gone from staging, so later anonymous events of the
    visitor lose that attribution). -#}
{% macro recompute_visitors_of_erased_contacts(relation) -%}
    {%- if execute and target.type != 'spark' and not flags.FULL_REFRESH -%}
        {%- set erased = ref('base_erased_contacts') -%}
        {%- set visitors = relation.incorporate(path={'identifier': relation.identifier ~ '__erased_visitors'}) -%}
        {%- do run_query('drop table if exists ' ~ visitors) -%}
        {%- do run_query(
            'create table ' ~ visitors ~ ' as select distinct visitor_id from ' ~ relation
            ~ ' where contact_id in (select contact_id from ' ~ erased ~ ')'
        ) -%}
        {%- do run_query('delete from ' ~ relation ~ ' where visitor_id in (select visitor_id from ' ~ visitors ~ ')') -%}
        {%- do run_query(
            'insert into ' ~ relation ~ ' '
            ~ web_recognition_sql('staged_web_events.visitor_id in (select visitor_id from ' ~ visitors ~ ')')
        ) -%}
        {%- do run_query('drop table if exists ' ~ visitors) -%}
    {%- endif -%}
    select 1
{%- endmacro %}
