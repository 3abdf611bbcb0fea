-- The recipients of the lead_nurture flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('lead_nurture') }}
