-- The rule of this flow is its doc block flow_reactivation, in the .md file beside
-- this one: it shows in the docs of this model and of audience_reactivation.
{{ inactive_customer_trigger('reactivation', var('reactivation_min_days'), var('reactivation_max_days')) }}
