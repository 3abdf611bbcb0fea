-- Every person ever erased, recorded the first time a build saw the erasure and
-- kept from then on, even when a later delivery of erasure_requests lacks the
-- request (append-only; `dbt build --full-refresh` keeps it).
--
-- A subject is a contact_id or a normalised email; emails are kept only as
-- their SHA-256, so the ledger keeps an erased person erased without keeping
-- their address. Erasure closure: a raw contact row links its contact_id and
-- its normalised email (one person), so starting from the requests and the
-- ledger, every contact_id and email linked to an erased one is erased too.
-- The links are followed var('erasure_closure_steps') times per build, and
-- tests/assert_erasure_ledger_is_closed.sql fails the build if one more step
-- would still reach someone (the next build then starts from this ledger).
{{ config(**ledger_model_config()) }}
{%- set steps = var('erasure_closure_steps') %}

with

requests as (
    select
        {{ clean_text('contact_id') }} as contact_id,
        {{ normalise_email('email') }} as email
    from {{ source('raw', 'erasure_requests') }}
),

raw_contacts as (
    select distinct
        {{ clean_text('contact_id') }} as contact_id,
        {{ normalise_email('email') }} as email
    from {{ source('raw', 'contacts') }}
),

-- What earlier builds recorded (nothing in the first build).
recorded as (
    {{ ledger_recorded(
        ['subject_type', 'subject'], 'requests', ["'contact' as subject_type", 'contact_id as subject']
    ) }}
),

-- Nodes are 'c:<contact_id>' and 'e:<normalised email>'.
seeds as (
    select 'c:' || contact_id as node
    from requests
    where contact_id is not null
    union
    select 'e:' || email as node
    from requests
    where email is not null
    union
    select 'c:' || subject as node
    from recorded
    where subject_type = 'contact'
    union
    select 'e:' || raw_contacts.email as node
    from raw_contacts
    inner join recorded
        on
            recorded.subject_type = 'email'
            and {{ sha256_hex('raw_contacts.email') }} = recorded.subject
),

-- Every node links to itself; a raw contact row links its id and its email.
links as (
    select node, node as linked from seeds
    union all
    select 'c:' || contact_id as node, 'e:' || email as linked
    from raw_contacts
    where contact_id is not null and email is not null
    union all
    select 'e:' || email as node, 'c:' || contact_id as linked
    from raw_contacts
    where contact_id is not null and email is not null
    union all
    select 'c:' || contact_id as node, 'c:' || contact_id as linked
    from raw_contacts
    where contact_id is not null
    union all
    select 'e:' || email as node, 'e:' || email as linked
    from raw_contacts
    where email is not null
),

reached_0 as (
    select node from seeds
),
{{ follow_links_ctes('links', steps) }}

closure as (
    select
        case when substr(node, 1, 2) = 'c:' then 'contact' else 'email' end as subject_type,
        substr(node, 3) as value
    from reached_{{ steps }}
),

subjects as (
    select distinct
        subject_type,
        case
            when subject_type = 'contact' then value
            else {{ sha256_hex('value') }}
        end as subject
    from closure
),

new_subjects as (
    select subjects.subject_type, subjects.subject
    from subjects
    left join recorded
        on
            subjects.subject_type = recorded.subject_type
            and subjects.subject = recorded.subject
    where recorded.subject is null
),

final as (
    select
        cast(subject_type as {{ dbt.type_string() }}) as subject_type,
        cast(subject as {{ dbt.type_string() }}) as subject,
        {{ as_of_date() }} as first_erased_for,
        {{ ledger_recorded_at() }} as recorded_at
    from new_subjects
)

select * from final
