-- Per run date D: how many contacts are in each lifecycle stage, RFM segment and
-- lead band (dim_contacts on D), and their share of all contacts. Every segment
-- of the seeds appears, with 0 when empty; contacts without an RFM segment (not
-- a customer in the RFM window) or lead band count as segment 'none'. Only counts
-- are kept, so erasing a person later changes nothing here. History: a run for
-- D replaces D's rows and keeps the other days.
{{ config(
    on_schema_change='fail',
    **history_model_config()
) }}

with

contacts as (
    select * from {{ ref('dim_contacts') }}
),

lifecycle_stages as (
    select * from {{ ref('lifecycle_stages') }}
),

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

lead_bands as (
    select * from {{ ref('contact_strategy') }}
),

churn_risk_bands as (
    select * from {{ ref('churn_risk_bands') }}
),

segments as (
    select
        'lifecycle_stage' as segmentation,
        stage as segment,
        stage_order as segment_order
    from lifecycle_stages
    union all
    select
        'rfm_segment' as segmentation,
        segment,
        rule_order as segment_order
    from rfm_segments
    union all
    select
        'lead_band' as segmentation,
        lead_band as segment,
        band_order as segment_order
    from lead_bands
    union all
    select
        'churn_risk_band' as segmentation,
        churn_risk_band as segment,
        band_order as segment_order
    from churn_risk_bands
    union all
    select
        'rfm_segment' as segmentation,
        'none' as segment,
        99 as segment_order
    union all
    select
        'lead_band' as segmentation,
        'none' as segment,
        99 as segment_order
    union all
    select
        'churn_risk_band' as segmentation,
        'none' as segment,
        99 as segment_order
),

memberships as (
    select
        'lifecycle_stage' as segmentation,
        lifecycle_stage as segment
    from contacts
    union all
    select
        'rfm_segment' as segmentation,
        coalesce(rfm_segment, 'none') as segment
    from contacts
    union all
    select
        'lead_band' as segmentation,
        coalesce(lead_band, 'none') as segment
    from contacts
    union all
    select
        'churn_risk_band' as segmentation,
        coalesce(churn_risk_band, 'none') as segment
    from contacts
),

counts as (
    select
        segmentation,
        segment,
        count(*) as contacts
    from memberships
    group by segmentation, segment
),

total as (
    select count(*) as contacts from contacts
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        segments.segmentation,
        segments.segment,
        cast(segments.segment_order as {{ dbt.type_int() }}) as segment_order,
        cast(coalesce(counts.contacts, 0) as {{ dbt.type_bigint() }}) as contacts,
        {{ safe_rate('coalesce(counts.contacts, 0)', 'total.contacts') }} as share
    from segments
    cross join total
    left join counts
        on
            segments.segmentation = counts.segmentation
            and segments.segment = counts.segment
)

select * from final
