-- The rule of this flow is its doc block flow_reminder_non_open, in the .md file beside
-- this one: it shows in the docs of this model and of audience_reminder_non_open.
{{ campaign_reminder_trigger('reminder_non_open', opened=false) }}
