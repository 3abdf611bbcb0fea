{#- GENERATED from models/staging/_raw__sources.yml by `python -m followup.contract`:
    do not edit. raw_contract()[table] = {'columns': [[name, type, max_bytes,
    text_check], ...], 'accepted_values': {column: [...]}}; max_bytes none means var
    text_max_bytes. -#}
{% macro raw_contract() -%}
    {{ return({
        "contacts": {
            'columns': [["contact_id", "text", none, true], ["email", "text", 254, true], ["first_name", "text", none, true], ["last_name", "text", none, true], ["gender", "text", none, true], ["birth_date", "date", none, true], ["language", "text", none, true], ["country", "text", none, true], ["company_name", "text", none, true], ["job_title", "text", none, true], ["company_size", "integer", none, true], ["signup_source", "text", none, true], ["created_at", "timestamp", none, true], ["updated_at", "timestamp", none, true]],
            'accepted_values': {"gender": ["f", "m", "x"], "signup_source": ["newsletter", "checkout", "whitepaper", "webinar", "import", "store"]},
        },
        "consent_events": {
            'columns': [["contact_id", "text", none, true], ["channel", "text", none, true], ["purpose", "text", none, true], ["status", "text", none, true], ["recorded_at", "timestamp", none, true], ["source", "text", none, true]],
            'accepted_values': {"channel": ["email"], "purpose": ["marketing"], "status": ["opt_in", "opt_out"]},
        },
        "products": {
            'columns': [["product_id", "text", none, true], ["name", "text", none, true], ["category", "text", none, true], ["price", "decimal(18,2)", none, true], ["url", "text", 2048, true], ["image_url", "text", 2048, true], ["manual_url", "text", 2048, true], ["is_active", "boolean", none, true]],
            'accepted_values': {},
        },
        "product_relations": {
            'columns': [["product_id", "text", none, true], ["related_product_id", "text", none, true], ["relation_type", "text", none, true]],
            'accepted_values': {"relation_type": ["accessory", "cross_sell"]},
        },
        "stock_levels": {
            'columns': [["product_id", "text", none, true], ["recorded_at", "timestamp", none, true], ["quantity_available", "integer", none, true]],
            'accepted_values': {},
        },
        "orders": {
            'columns': [["order_id", "text", none, true], ["contact_id", "text", none, true], ["ordered_at", "timestamp", none, true], ["status", "text", none, true], ["delivered_at", "timestamp", none, true], ["total_amount", "decimal(18,2)", none, true], ["currency", "text", none, true], ["channel", "text", none, true]],
            'accepted_values': {"status": ["placed", "paid", "shipped", "delivered", "cancelled", "returned"], "channel": ["web", "app", "store"]},
        },
        "order_lines": {
            'columns': [["order_id", "text", none, true], ["line_number", "integer", none, true], ["product_id", "text", none, true], ["quantity", "integer", none, true], ["unit_price", "decimal(18,2)", none, true]],
            'accepted_values': {},
        },
        "email_events": {
            'columns': [["event_id", "text", none, false], ["message_id", "text", none, true], ["contact_id", "text", none, false], ["email_type", "text", none, false], ["campaign_id", "text", none, true], ["flow_id", "text", none, false], ["flow_step", "integer", none, true], ["event_type", "text", none, false], ["occurred_at", "timestamp", none, true], ["url", "text", 2048, false], ["product_id", "text", none, true], ["is_machine_open", "boolean", none, true]],
            'accepted_values': {"email_type": ["marketing", "service"], "event_type": ["sent", "delivered", "open", "click", "soft_bounce", "hard_bounce", "unsubscribe", "spam_complaint"]},
        },
        "web_events": {
            'columns': [["event_id", "text", none, false], ["visitor_id", "text", none, false], ["session_id", "text", none, false], ["contact_id", "text", none, false], ["is_logged_in", "boolean", none, true], ["event_type", "text", none, false], ["page_type", "text", none, false], ["product_id", "text", none, true], ["occurred_at", "timestamp", none, true], ["url", "text", 2048, false]],
            'accepted_values': {"event_type": ["page_view", "product_view", "add_to_cart", "remove_from_cart", "checkout_start", "whitepaper_download", "webinar_signup", "search"], "page_type": ["home", "category", "product", "pricing", "blog", "checkout", "account", "other"]},
        },
        "stock_alert_requests": {
            'columns': [["request_id", "text", none, true], ["email", "text", 254, true], ["contact_id", "text", none, true], ["product_id", "text", none, true], ["requested_at", "timestamp", none, true]],
            'accepted_values': {},
        },
        "service_interactions": {
            'columns': [["interaction_id", "text", none, true], ["contact_id", "text", none, true], ["interaction_type", "text", none, true], ["channel", "text", none, true], ["opened_at", "timestamp", none, true], ["closed_at", "timestamp", none, true], ["product_id", "text", none, true]],
            'accepted_values': {"interaction_type": ["complaint", "question", "return"], "channel": ["phone", "chat", "email", "store"]},
        },
        "erasure_requests": {
            'columns': [["request_id", "text", none, true], ["contact_id", "text", none, true], ["email", "text", 254, true], ["requested_at", "timestamp", none, true]],
            'accepted_values': {},
        },
        "esp_suppressions": {
            'columns': [["email", "text", 254, true], ["reason", "text", none, true], ["suppressed_at", "timestamp", none, true]],
            'accepted_values': {"reason": ["hard_bounce", "spam_complaint", "unsubscribe", "manual"]},
        },
    }) }}
{%- endmacro %}
