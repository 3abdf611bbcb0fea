-- Every raw contact row, cleaned, with its fate: staged, erased, or the reason
-- it is quarantined. Duplicate rows of a contact_id: the row with the latest
-- updated_at wins (null sorts oldest); identical rows collapse into one; differing
-- rows that share the latest updated_at make the whole contact ambiguous.
{%- set columns = [
    'contact_id', 'email', 'first_name', 'last_name', 'gender', 'birth_date',
    'language', 'country', 'company_name', 'job_title', 'company_size',
    'signup_source', 'created_at', 'updated_at'
] %}

with

source as (
    select * from {{ source('raw', 'contacts') }}
),

erased_contacts as (
    select contact_id from {{ ref('base_erased_contacts') }}
),

erased_emails as (
    select email from {{ ref('base_erased_emails') }}
),

cleaned as (
    select
        {{ clean_text('contact_id') }} as contact_id,
        {{ normalise_email('email') }} as email,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ null_unless_accepted(clean_code('gender'), 'contacts', 'gender') }} as gender,
        cast(birth_date as date) as birth_date,
        {{ clean_code('language') }} as language,
        {{ clean_code('country', 'upper') }} as country,
        {{ clean_text('company_name') }} as company_name,
        {{ clean_text('job_title') }} as job_title,
        cast(company_size as {{ dbt.type_int() }}) as company_size,
        {{ null_unless_accepted(clean_code('signup_source'), 'contacts', 'signup_source') }}
            as signup_source,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        -- identity is judged on the raw values, before any cleaning
        {{ fast_row_hash(columns) }} as raw_fingerprint
    from source
),

versioned as (
    select
        *,
        max(updated_at) over (partition by contact_id) as latest_updated_at,
        {{ text_issue_expression('contacts') }} as _text_issue
    from cleaned
),

latest_flagged as (
    select
        *,
        coalesce(
            updated_at = latest_updated_at,
            updated_at is null and latest_updated_at is null
        ) as is_latest
    from versioned
),

compared as (
    select
        *,
        min(case when is_latest then raw_fingerprint end) over (partition by contact_id)
        <> max(case when is_latest then raw_fingerprint end) over (partition by contact_id)
            as is_ambiguous,
        -- latest rows first, so that 1 is the winning row and identical copies follow
        row_number() over (
            partition by contact_id
            order by case when is_latest then 0 else 1 end, raw_fingerprint
        ) as _occurrence
    from latest_flagged
),

{%- set checks = [
    ('erased_contacts.contact_id is not null', 'erased', 'null'),
    ('erased_emails.email is not null', 'erased', 'null'),
    ('compared.contact_id is null', 'missing_key', "'contact_id is empty'"),
    ('compared.is_ambiguous', 'ambiguous_duplicate', "'differing rows share the latest updated_at'"),
    ('not compared.is_latest', 'superseded_duplicate', "'a row with a later updated_at wins'"),
    ('compared._occurrence > 1', 'exact_duplicate', "'identical to the winning row'"),
] + text_checks('contacts', 'compared') %}

classified as (
    select
        {{- fate_select(columns, ['contact_id'], 'compared', checks) }}
    from compared
    left join erased_contacts
        on compared.contact_id = erased_contacts.contact_id
    left join erased_emails
        on compared.email = erased_emails.email
)

select
    {{- base_output(columns) }}
