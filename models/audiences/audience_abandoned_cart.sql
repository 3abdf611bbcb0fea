-- The recipients of the abandoned_cart flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('abandoned_cart') }}
