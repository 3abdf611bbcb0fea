{#-
    Shared scoring arithmetic of the segmentation marts.
-#}

{#- points * 0.5 ^ (days_ago / half_life_days), as a double (never rounded). -#}
{% macro decayed(points, days_ago, half_life_days) -%}
    (cast({{ points }} as {{ type_double() }})
        * power(0.5, cast({{ days_ago }} as {{ type_double() }}) / {{ half_life_days }}))
{%- endmacro %}

{#- A double score rounded to 9 decimals, for ranking only: a sum of doubles can
    differ in its last bits with the order the engine adds it up in (threads,
    engines, incremental or full runs), so scores that are equal in exact
    arithmetic must tie here and let the next ordering column decide. -#}
{% macro ranking_score(score) -%}
    cast({{ score }} as decimal(38, 9))
{%- endmacro %}

{#- ceil(5 * c / n) in exact integer arithmetic: (5c + n - 1) div n. -#}
{% macro quintile_score(c, n) -%}
    cast({{ int_div('5 * (' ~ c ~ ') + (' ~ n ~ ') - 1', n) }} as {{ dbt.type_int() }})
{%- endmacro %}

{#-
    The RFM segment of each row of `scores` (a relation with r_score, f_score and
    m_score, keyed by `key`): the first rule of seed rfm_segments, in rule_order,
    whose ranges hold all three scores.
-#}
{% macro rfm_segment_lookup(scores, key) -%}
    select
        {{ key }},
        segment
    from (
        select
            scores.{{ key }},
            rules.segment,
            row_number() over (partition by scores.{{ key }} order by rules.rule_order) as rule_rank
        from {{ scores }} as scores
        inner join {{ ref('rfm_segments') }} as rules
            on
                scores.r_score between rules.r_min and rules.r_max
                and scores.f_score between rules.f_min and rules.f_max
                and scores.m_score between rules.m_min and rules.m_max
    ) as matched
    where rule_rank = 1
{%- endmacro %}
