-- Every staged web event with the level at which the website recognised the
-- visitor, and the contact the event is attributed to:
--   4  logged in: is_logged_in is true and contact_id is set
--   3  not logged in, but the same visitor_id had a logged-in event strictly
--      earlier: attributed to the contact of the latest such event (ties: the
--      smallest event_id)
--   1  the visitor's first event (its earliest occurred_at)
--   2  otherwise: seen before, never logged in before
-- Only levels 3 and 4 carry a contact. An is_logged_in without contact_id, or a
-- contact_id without is_logged_in, counts as not logged in. The SQL is in
-- macros/recognition.sql.
--
-- A level depends only on the visitor's earlier events, so it is computed once
-- per event, whatever the as_of_date (int_web_events_recognised is the view of
-- the events up to D). Incremental on DuckDB and PostgreSQL: a run recomputes
-- the visitors with events written or changed in it (macros/incremental.sql),
-- and then the visitors whose events were attributed to a contact erased since.
{{ config(
    pre_hook="{{ delete_touched_keys(this, 'visitor_id', ref('base_raw__web_events')) }}",
    post_hook="{{ recompute_visitors_of_erased_contacts(this) }}",
    **derived_incremental_config()
) }}
-- depends_on: {{ ref('base_erased_contacts') }}

{{ web_recognition_sql(touched_keys_condition('visitor_id', ref('base_raw__web_events'), 'staged_web_events')) }}
