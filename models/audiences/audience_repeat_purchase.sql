-- The recipients of the repeat_purchase flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('repeat_purchase') }}
