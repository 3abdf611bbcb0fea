-- reactivation on D: a customer whose last valid order was 180 to 364 days ago
-- (vars reactivation_min_days, reactivation_max_days) and who has not engaged
-- in any channel in the last 60 days (var inactivity_days).
{{ inactive_customer_trigger('reactivation', var('reactivation_min_days'), var('reactivation_max_days')) }}
