-- Seed `flows` and the implemented flows (macro flow_ids: a trigger model and an
-- audience table each) list the same flows. Returns flows found in only one.
with

implemented as (
    {% for flow_id in flow_ids() -%}
        {% if not loop.first -%} union all {%- endif %}
        select '{{ flow_id }}' as flow_id
    {% endfor -%}
),

registry as (
    select flow_id from {{ ref('flows') }}
)

select 'in the seed but not implemented' as problem, registry.flow_id
from registry
left join implemented
    on registry.flow_id = implemented.flow_id
where implemented.flow_id is null
union all
select 'implemented but not in the seed' as problem, implemented.flow_id
from implemented
left join registry
    on implemented.flow_id = registry.flow_id
where registry.flow_id is null
