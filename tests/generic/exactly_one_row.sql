{#-
    The model has exactly one row. Fails with one row carrying the count and the
    message (e.g. what to run when the row is missing).
-#}
{% test exactly_one_row(model, message='the model must have exactly one row') %}

with

counted as (
    select count(*) as row_count from {{ model }}
)

select
    row_count,
    '{{ message | replace("'", "''") }}' as problem
from counted
where row_count <> 1

{% endtest %}
