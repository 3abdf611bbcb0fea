{#-
    Statistics for measuring results, in plain portable SQL (sqrt, exp, abs; no erf,
    which DuckDB, PostgreSQL and Spark do not share).
-#}

{#-
    The two-sided p-value of a standard normal test statistic: 2 * (1 - Phi(|z|)),
    with Phi from Abramowitz & Stegun 26.2.17 (absolute error below 7.5e-8):
    1 - Phi(x) = phi(x) * (b1 t + b2 t^2 + b3 t^3 + b4 t^4 + b5 t^5), t = 1 / (1 + p x).
    `abs_z` must be >= 0 (or null: the p-value is then null). |z| is capped at 37
    (p below 1e-297) so that exp() never underflows, which PostgreSQL reports as an
    error. z = 0 gives exactly 1.
-#}
{% macro normal_two_sided_p_value(abs_z) -%}
    case
        when {{ abs_z }} = 0 then cast(1 as {{ type_double() }})
        when {{ abs_z }} > 0 then
            2 * exp(-0.5 * least({{ abs_z }}, 37) * least({{ abs_z }}, 37))
            / 2.5066282746310002
            * {{ _normal_tail_polynomial('1 / (1 + 0.2316419 * least(' ~ abs_z ~ ', 37))') }}
    end
{%- endmacro %}

{% macro _normal_tail_polynomial(t) -%}
    (
        {{ t }} * (0.319381530 + {{ t }} * (-0.356563782 + {{ t }} * (1.781477937
        + {{ t }} * (-1.821255978 + {{ t }} * 1.330274429))))
    )
{%- endmacro %}

{#-
    The engagement columns of flow_engagement_daily and flow_engagement_period, from
    a relation with the counts sent, delivered, bounced, opened, clicked, unsubscribed
    and complained: the counts as bigint, then open_rate and click_rate (of delivered
    mails) and click_to_open_rate (of opened mails); a rate is null when its
    denominator is 0.
-#}
{% macro engagement_counts_and_rates() -%}
    {%- for count in ['sent', 'delivered', 'bounced', 'opened', 'clicked', 'unsubscribed', 'complained'] %}
        cast({{ count }} as {{ dbt.type_bigint() }}) as {{ count }},
    {%- endfor %}
        {{ safe_rate('opened', 'delivered') }} as open_rate,
        {{ safe_rate('clicked', 'delivered') }} as click_rate,
        {{ safe_rate('clicked', 'opened') }} as click_to_open_rate
{%- endmacro %}

{#- numerator / denominator as a double; null when the denominator is 0 or null. -#}
{% macro safe_rate(numerator, denominator) -%}
    case
        when ({{ denominator }}) > 0
            then cast({{ numerator }} as {{ type_double() }}) / ({{ denominator }})
    end
{%- endmacro %}

{#-
    flow_uplift's period, as SQL dates: the entry days whose attribution window
    (var attribution_window_days) is complete on D, the last var uplift_period_days of
    them. Start: D - period - window + 2; end: D - window + 1.
-#}
{% macro uplift_period_start() -%}
    {{ dbt.dateadd(
        'day',
        -((var('uplift_period_days') | int) + (var('attribution_window_days') | int) - 2),
        as_of_date()
    ) }}
{%- endmacro %}

{% macro uplift_period_end() -%}
    {{ dbt.dateadd('day', -((var('attribution_window_days') | int) - 1), as_of_date()) }}
{%- endmacro %}
