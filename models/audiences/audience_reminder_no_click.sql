-- The recipients of the reminder_no_click flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('reminder_no_click') }}
