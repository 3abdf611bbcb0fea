{#-
    Time in followup: every time-relative rule reads var('as_of_date') (D).

    * as_of_date_str(): D as 'YYYY-MM-DD'. The default 'today' is the UTC date on
      which this dbt invocation started (run_started_at), resolved once per run,
      so a run that crosses midnight still builds one consistent day.
    * as_of_date(): D as a SQL date literal.
    * days_ago(ts): D - date(ts) in whole days. Rows with days_ago < 0 lie in the
      future of the run and are ignored by every rule.
-#}

{% macro as_of_date_str() -%}
    {%- set value = var('as_of_date', 'today') -%}
    {%- if value is none or (value | string | trim) in ('', 'today') -%}
        {{ return(run_started_at.strftime('%Y-%m-%d')) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- set ns = namespace(parsed=none) -%}
    {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {%- set ns.parsed = modules.datetime.datetime.strptime(text, '%Y-%m-%d') -%}
    {%- endif -%}
    {%- if ns.parsed is none -%}
        {{ exceptions.raise_compiler_error(
            "var('as_of_date') must be a date written YYYY-MM-DD or 'today', got '" ~ text ~ "'"
        ) }}
    {%- endif -%}
    {{ return(ns.parsed.strftime('%Y-%m-%d')) }}
{%- endmacro %}

{% macro as_of_date() -%}
    date '{{ as_of_date_str() }}'
{%- endmacro %}

{% macro days_ago(ts) -%}
    {{ days_between('cast(' ~ ts ~ ' as date)', as_of_date()) }}
{%- endmacro %}

{#- Age in completed years on D of someone born on `birth_date`. -#}
{% macro age_on_as_of_date(birth_date) -%}
    cast(
        {{ date_part_int('year', as_of_date()) }} - {{ date_part_int('year', birth_date) }}
        - case
            when {{ date_part_int('month', as_of_date()) }} * 100 + {{ date_part_int('day', as_of_date()) }}
                < {{ date_part_int('month', birth_date) }} * 100 + {{ date_part_int('day', birth_date) }}
                then 1
            else 0
        end
        as {{ dbt.type_int() }}
    )
{%- endmacro %}
