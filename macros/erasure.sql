{#-
    History tables keep rows of earlier runs. An erasure applies to them too:
    this post-hook removes every row of an erased contact from `relation`.
    Models that use it declare the dependency with
    `-- depends_on: {{ ref('base_erased_contacts') }}`.
-#}
{% macro delete_erased_contacts(relation) -%}
    {%- if execute -%}
    delete from {{ relation }}
    where contact_id in (select contact_id from {{ ref('base_erased_contacts') }})
    {%- endif -%}
{%- endmacro %}
