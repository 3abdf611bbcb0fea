{#- Fails (one row) when the model has no rows at all: a table that must never be
    empty, such as the raw contacts an EL tool may have truncated. -#}
{% test not_empty(model) %}
    select count(*) as row_count
    from {{ model }}
    having count(*) = 0
{% endtest %}
