-- The recipients of the browse_abandonment flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('browse_abandonment') }}
