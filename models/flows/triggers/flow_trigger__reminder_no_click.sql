-- reminder_no_click on D: a regular campaign (email_type 'marketing', no
-- flow_id) sent three days ago (var campaign_reminder_offset_days) that the
-- contact opened (a real open) but did not click, and for which no reminder was
-- sent yet. The message with the latest send, then the smallest message_id.
{{ campaign_reminder_trigger('reminder_no_click', opened=true) }}
