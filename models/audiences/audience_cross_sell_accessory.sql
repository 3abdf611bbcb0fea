-- The recipients of the cross_sell_accessory flow on D (decision 'send'), ready to personalise.
-- Columns: see macros/audiences.sql and _audiences__models.yml.
{{ audience_table('cross_sell_accessory') }}
