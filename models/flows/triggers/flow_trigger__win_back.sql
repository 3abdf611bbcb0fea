-- win_back on D: a customer whose last valid order was 365 to 730 days ago
-- (vars win_back_min_days, win_back_max_days) and who has not engaged in any
-- channel in the last 60 days (var inactivity_days).
{{ inactive_customer_trigger('win_back', var('win_back_min_days'), var('win_back_max_days')) }}
