"""OpenAPI examples for the inquiry operations."""


CREATE_EXAMPLE = {
    "external_id": "zendesk-48213",
    "channel": "email",
    "subject": "Where is my order?",
    "body": "Hi, I ordered a jacket last week and it has not arrived.",
    "language": "en",
    "customer": {"email": "sam@example.com", "name": "Sam Rivera"},
}


INQUIRY_EXAMPLE = {
    "id": 42, "external_id": "zendesk-48213", "queue": 3, "channel": "email",
    "subject": "Where is my order?", "language": "en", "status": "queued",
    "coverage_reason": "after_hours", "customer_email": "sam@example.com",
    "received_at": "2026-11-24T21:14:03Z", "first_response_due_at": "2026-11-24T21:29:03Z",
    "first_replied_at": None, "resolved_at": None, "received_via": "api",
    "promise": {
        "reply_by": "2026-11-24T21:26:03Z",
        "text": "Thanks for writing to Northwind. We expect to reply within 12 minutes "
        "(by 21:26 Europe/Dublin time).",
        "kept": None,
        "basis": {"channel": "email", "target_seconds": 900, "brand_open": False,
                  "covered_by_network": True,
                  "waiting_ahead": 2, "experts_on_shift": 3, "free_capacity": 7,
                  "handling_seconds": 540, "handling_samples": 50, "estimate": "network",
                  "estimate_seconds": 560},
    },
}


MESSAGE_EXAMPLE = {
    "id": 311, "direction": "outbound", "body": "Your parcel ships today.",
    "created_at": "2026-11-24T21:22:40Z", "delivery_status": "failed", "delivered_at": None,
    "delivery_attempts": 5, "attachments": [],
    "delivery_log": [{"number": 1, "route": "webhook", "attempted_at": "2026-11-24T21:22:41Z",
                      "succeeded": False, "status_code": 503,
                      "error": "The helpdesk answered HTTP 503."}],
}
