{#-
    History tables keep rows of earlier runs. An erasure applies to them too:
    this post-hook removes every row of an erased contact (and, with
    email_column, of an erased email) from `relation`.
    Models that use it declare the dependency with
    `-- depends_on: {{ ref('base_erased_contacts') }}`.
-#}
{% macro delete_erased_contacts(relation, email_column=none) -%}
    {%- if execute -%}
    delete from {{ relation }}
    where contact_id in (select contact_id from {{ ref('base_erased_contacts') }})
    {%- if email_column %}
        or {{ email_column }} in (select email from {{ ref('base_erased_emails') }})
    {%- endif %}
    {%- endif -%}
{%- endmacro %}
