-- The recipients of the post_purchase_service flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('post_purchase_service') }}
