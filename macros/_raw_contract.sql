{#- GENERATED from models/staging/_raw__sources.yml by `python -m followup.contract`:
    do not edit. raw_contract()[table] = {'columns': [[name, type, max_bytes], ...],
    'accepted_values': {column: [...]}}; max_bytes none means var text_max_bytes. -#}
{% macro raw_contract() -%}
    {{ return({
        "contacts": {
            'columns': [["contact_id", "text", none], ["email", "text", 254], ["first_name", "text", none], ["last_name", "text", none], ["gender", "text", none], ["birth_date", "date", none], ["language", "text", none], ["country", "text", none], ["company_name", "text", none], ["job_title", "text", none], ["company_size", "integer", none], ["signup_source", "text", none], ["created_at", "timestamp", none], ["updated_at", "timestamp", none]],
            'accepted_values': {"gender": ["f", "m", "x"], "signup_source": ["newsletter", "checkout", "whitepaper", "webinar", "import", "store"]},
        },
        "consent_events": {
            'columns': [["contact_id", "text", none], ["channel", "text", none], ["purpose", "text", none], ["status", "text", none], ["recorded_at", "timestamp", none], ["source", "text", none]],
            'accepted_values': {"channel": ["email"], "purpose": ["marketing"], "status": ["opt_in", "opt_out"]},
        },
        "products": {
            'columns': [["product_id", "text", none], ["name", "text", none], ["category", "text", none], ["price", "decimal(18,2)", none], ["url", "text", 2048], ["image_url", "text", 2048], ["manual_url", "text", 2048], ["is_active", "boolean", none]],
            'accepted_values': {},
        },
        "product_relations": {
            'columns': [["product_id", "text", none], ["related_product_id", "text", none], ["relation_type", "text", none]],
            'accepted_values': {"relation_type": ["accessory", "cross_sell"]},
        },
        "stock_levels": {
            'columns': [["product_id", "text", none], ["recorded_at", "timestamp", none], ["quantity_available", "integer", none]],
            'accepted_values': {},
        },
        "orders": {
            'columns': [["order_id", "text", none], ["contact_id", "text", none], ["ordered_at", "timestamp", none], ["status", "text", none], ["delivered_at", "timestamp", none], ["total_amount", "decimal(18,2)", none], ["currency", "text", none], ["channel", "text", none]],
            'accepted_values': {"status": ["placed", "paid", "shipped", "delivered", "cancelled", "returned"], "channel": ["web", "app", "store"]},
        },
        "order_lines": {
            'columns': [["order_id", "text", none], ["line_number", "integer", none], ["product_id", "text", none], ["quantity", "integer", none], ["unit_price", "decimal(18,2)", none]],
            'accepted_values': {},
        },
        "email_events": {
            'columns': [["event_id", "text", none], ["message_id", "text", none], ["contact_id", "text", none], ["email_type", "text", none], ["campaign_id", "text", none], ["flow_id", "text", none], ["flow_step", "integer", none], ["event_type", "text", none], ["occurred_at", "timestamp", none], ["url", "text", 2048], ["product_id", "text", none], ["is_machine_open", "boolean", none]],
            'accepted_values': {"email_type": ["marketing", "service"], "event_type": ["sent", "delivered", "open", "click", "soft_bounce", "hard_bounce", "unsubscribe", "spam_complaint"]},
        },
        "web_events": {
            'columns': [["event_id", "text", none], ["visitor_id", "text", none], ["session_id", "text", none], ["contact_id", "text", none], ["is_logged_in", "boolean", none], ["event_type", "text", none], ["page_type", "text", none], ["product_id", "text", none], ["occurred_at", "timestamp", none], ["url", "text", 2048]],
            'accepted_values': {"event_type": ["page_view", "product_view", "add_to_cart", "remove_from_cart", "checkout_start", "whitepaper_download", "webinar_signup", "search"], "page_type": ["home", "category", "product", "pricing", "blog", "checkout", "account", "other"]},
        },
        "stock_alert_requests": {
            'columns': [["request_id", "text", none], ["email", "text", 254], ["contact_id", "text", none], ["product_id", "text", none], ["requested_at", "timestamp", none]],
            'accepted_values': {},
        },
        "service_interactions": {
            'columns': [["interaction_id", "text", none], ["contact_id", "text", none], ["interaction_type", "text", none], ["channel", "text", none], ["opened_at", "timestamp", none], ["closed_at", "timestamp", none], ["product_id", "text", none]],
            'accepted_values': {"interaction_type": ["complaint", "question", "return"], "channel": ["phone", "chat", "email", "store"]},
        },
        "erasure_requests": {
            'columns': [["request_id", "text", none], ["contact_id", "text", none], ["email", "text", 254], ["requested_at", "timestamp", none]],
            'accepted_values': {},
        },
        "esp_suppressions": {
            'columns': [["email", "text", 254], ["reason", "text", none], ["suppressed_at", "timestamp", none]],
            'accepted_values': {"reason": ["hard_bounce", "spam_complaint", "unsubscribe", "manual"]},
        },
    }) }}
{%- endmacro %}
