-- The rule of this flow is its doc block flow_win_back, in the .md file beside
-- this one: it shows in the docs of this model and of audience_win_back.
{{ inactive_customer_trigger('win_back', var('win_back_min_days'), var('win_back_max_days')) }}
