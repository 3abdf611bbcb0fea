-- One row per suppression lift recorded by `followup suppression lift`.
-- The lifts are the project's own state (already typed and keyed by the hash of
-- the normalised email), so staging only selects the columns the models read.
with

lifts as (
    select * from {{ source('followup_state', 'suppression_lifts') }}
),

final as (
    select
        email_sha256,
        lifted_at,
        reason,
        lifted_by
    from lifts
)

select * from final
