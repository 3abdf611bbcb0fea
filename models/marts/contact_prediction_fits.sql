-- The fits behind contact_predictions, one row per fit date (D): the BG/NBD and
-- Gamma-Gamma parameters, their log-likelihoods, the data they rest on and whether
-- the searches converged. History: a run for D replaces D's row and keeps the others.
{{ config(
    on_schema_change='fail',
    **history_model_config()
) }}

with

fits as (
    select * from {{ ref('int_prediction_fit') }}
),

final as (
    select * from fits
)

select * from final
