-- The recipients of the reminder_non_open flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('reminder_non_open') }}
