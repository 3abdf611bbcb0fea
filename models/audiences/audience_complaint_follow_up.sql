-- The recipients of the complaint_follow_up flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('complaint_follow_up') }}
