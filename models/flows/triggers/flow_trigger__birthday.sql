-- The rule of this flow is its doc block flow_birthday, in the .md file beside
-- this one: it shows in the docs of this model and of audience_birthday.
{%- set d = modules.datetime.datetime.strptime(as_of_date_str(), '%Y-%m-%d') %}
{%- set is_leap_year = (d.year % 4 == 0 and d.year % 100 != 0) or d.year % 400 == 0 %}

with

contacts as (
    select
        contact_id,
        birth_date,
        {{ date_part_int('month', 'birth_date') }} as birth_month,
        {{ date_part_int('day', 'birth_date') }} as birth_day
    from {{ ref('stg_raw__contacts') }}
    where
        birth_date is not null
        and birth_date <= {{ as_of_date() }}
),

birthdays as (
    select * from contacts
    where
        (birth_month = {{ d.month }} and birth_day = {{ d.day }})
    {%- if d.month == 2 and d.day == 28 and not is_leap_year %}
        or (birth_month = 2 and birth_day = 29)
        {%- endif %}
),

final as (
    select
        {{ trigger_columns('birthday', {
            'flow_step': '1',
            'contact_id': 'contact_id',
            'trigger_at': 'cast(birth_date as ' ~ dbt.type_timestamp() ~ ')',
        }) | indent(8) }}
    from birthdays
)

select * from final
