-- The rule of this flow is its doc block flow_reminder_no_click, in the .md file beside
-- this one: it shows in the docs of this model and of audience_reminder_no_click.
{{ campaign_reminder_trigger('reminder_no_click', opened=true) }}
