-- One row per entry of the ESP's suppression list (erased addresses included).
with

esp_suppressions as (
    select * from {{ ref('base_raw__esp_suppressions') }}
    where row_fate = 'staged'
),

final as (
    select
        email,
        reason,
        suppressed_at
    from esp_suppressions
)

select * from final
