"""Every write on the brand side, by area. Callers pass `now` so tests can move the clock.

`from marketplace import services` keeps working: each area's public functions are here.
The inquiry module (the old `services.py`) is re-exported whole, so writes added to it are
reachable as `services.<name>` without touching this file.
"""

from marketplace.services.inquiries import *  # noqa: F403 (every public name, as before the split)
from marketplace.services.inquiries import (
    InquiryIntake,
    inquiry_change_status,
    inquiry_create,
    inquiry_lock,
    inquiry_mark_at_risk,
    inquiry_record_event,
    message_create_reply,
    message_deliver,
    message_mark_delivery_failed,
)
from marketplace.services.keys import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    api_key_rotate,
)
from marketplace.services.members import (
    brand_billing_update,
    brand_invitation_accept,
    brand_invitation_cancel,
    brand_invitation_create,
    brand_invitation_from_token,
    brand_invite_by_ops,
    brand_signup,
    brand_signup_verify,
    membership_change_role,
    membership_remove,
)
from marketplace.services.queues import (
    MACRO_PLACEHOLDERS,
    MacroContext,
    macro_delete,
    macro_render,
    macro_save,
    queue_configure,
    queue_create,
    queue_report_backlog,
)

__all__ = [
    "MACRO_PLACEHOLDERS",
    "InquiryIntake",
    "MacroContext",
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "api_key_rotate",
    "brand_billing_update",
    "brand_invitation_accept",
    "brand_invitation_cancel",
    "brand_invitation_create",
    "brand_invitation_from_token",
    "brand_invite_by_ops",
    "brand_signup",
    "brand_signup_verify",
    "inquiry_change_status",
    "inquiry_create",
    "inquiry_lock",
    "inquiry_mark_at_risk",
    "inquiry_record_event",
    "macro_delete",
    "macro_render",
    "macro_save",
    "membership_change_role",
    "membership_remove",
    "message_create_reply",
    "message_deliver",
    "message_mark_delivery_failed",
    "queue_configure",
    "queue_create",
    "queue_report_backlog",
]
