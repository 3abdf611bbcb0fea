-- The recipients of the win_back flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('win_back') }}
