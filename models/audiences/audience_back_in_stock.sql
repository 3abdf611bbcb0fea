-- The recipients of the back_in_stock flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('back_in_stock') }}
