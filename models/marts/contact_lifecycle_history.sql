-- One row per contact per as_of_date the project was built for: the lifecycle
-- stage of every contact on every run date. Incremental: a run for D replaces
-- the rows of D (re-running a date never duplicates it) and keeps the others.
{{ config(
    on_schema_change='fail',
    post_hook="{{ delete_erased_contacts(this) }}",
    **history_model_config()
) }}
-- depends_on: {{ ref('base_erased_contacts') }}

with

lifecycle as (
    select * from {{ ref('contact_lifecycle') }}
),

final as (
    select
        as_of_date,
        contact_id,
        lifecycle_stage,
        stage_order,
        is_customer
    from lifecycle
)

select * from final
