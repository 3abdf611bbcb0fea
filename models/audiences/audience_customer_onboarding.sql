-- The recipients of the customer_onboarding flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('customer_onboarding') }}
