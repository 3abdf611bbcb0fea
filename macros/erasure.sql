{#-
    History tables keep rows of earlier runs. An erasure applies to them too:
    this post-hook removes every row of an erased contact (and, with
    email_column, of an erased email) from `relation`.
    Models that use it declare the dependency with
    `-- depends_on: {{ ref('base_erased_contacts') }}`.
-#}
{% macro delete_erased_contacts(relation, email_column=none) -%}
    {{ return(adapter.dispatch('delete_erased_contacts', 'followup')(relation, email_column)) }}
{%- endmacro %}

{% macro default__delete_erased_contacts(relation, email_column=none) -%}
    {%- if execute -%}
    delete from {{ relation }}
    where contact_id in (select contact_id from {{ ref('base_erased_contacts') }})
    {%- if email_column %}
        or {{ email_column }} in (select email from {{ ref('base_erased_emails') }})
    {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- Spark's Parquet tables cannot DELETE: rewrite the table without the erased
    rows, through a materialised copy (Spark cannot overwrite a table it reads). -#}
{% macro spark__delete_erased_contacts(relation, email_column=none) -%}
    {%- if execute and config.get('materialized') == 'incremental' -%}
        {%- set copy = relation.incorporate(path={'identifier': relation.identifier ~ '__erasure'}) -%}
        {%- set keep -%}
            not (
                coalesce(contact_id in (select contact_id from {{ ref('base_erased_contacts') }}), false)
                {%- if email_column %}
                or coalesce({{ email_column }} in (select email from {{ ref('base_erased_emails') }}), false)
                {%- endif %}
            )
        {%- endset -%}
        {%- do run_query('drop table if exists ' ~ copy) -%}
        {%- do run_query('create table ' ~ copy ~ ' using parquet as select * from ' ~ relation ~ ' where ' ~ keep) -%}
        {%- do run_query("set spark.sql.sources.partitionOverwriteMode = STATIC") -%}
        {%- do run_query('insert overwrite table ' ~ relation ~ ' select * from ' ~ copy) -%}
        {%- do run_query('drop table if exists ' ~ copy) -%}
    {%- endif -%}
    select 1
{%- endmacro %}
