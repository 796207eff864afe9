"""The words a person reads for each code the product stores: one place for the pages. A code
with model choices reads through those choices' labels; the codes without (routing's reasons,
timeline events, the pricing terms' and queue settings' names) have their labels here or
beside their declaration. A code nobody labelled still reads as words, never as snake_case.

Templates use the `label` filter: `{{ inquiry.coverage_reason|label:"coverage_reason" }}`."""

from collections.abc import Mapping

from billing.ledger.models import AccountKind
from billing.terms.services import CONTRACT_FIELDS, RATE_CARD_FIELDS
from experts.quality.models import RatingReason, ReviewSource
from marketplace.inquiries.models import DeliveryStatus, InquiryChannel, InquiryStatus
from marketplace.queues.fields import QUEUE_SETTINGS
from routing.engine.coverage import REASON_LABELS
from routing.engine.eligibility import EXCLUSION_LABELS
from routing.engine.promise import NOBODY_ON_SHIFT_LABELS

EVENT_LABELS = {
    "received": "Received",
    "acknowledged": "Acknowledgement sent",
    "auto_reply": "Automatic reply received",
    "coverage": "Coverage decision",
    "waiting": "Waiting for an expert",
    "offered": "Offered",
    "requeued": "Back in the queue",
    "accepted": "Accepted",
    "declined": "Declined",
    "offer_expired": "Offer expired",
    "offer_withdrawn": "Offer withdrawn",
    "reassigned": "Reassigned",
    "at_risk": "At risk",
    "replied": "Reply sent",
    "customer_message": "Customer wrote",
    "customer_replied": "Customer replied",
    "delivery_failed": "Reply not delivered",
    "delivery_bounced": "Reply bounced",
    "acknowledgement_bounced": "Acknowledgement bounced",
    "quoted_another_conversation": "Quoted another conversation",
    "quoted_by_another_sender": "Quoted by another sender",
    "delivery_retried": "Delivery retried",
    "resolved": "Resolved",
    "resolved_quietly": "Resolved (no reply from the customer)",
    "handed_back": "Handed back",
    "survey_requested": "Survey handed to the helpdesk",
    "survey_sent": "Survey emailed",
    "survey_answered": "Survey answered",
    "reviewed_by_brand": "Reviewed by the brand",
}

# Changed fields in the brand's audit log that are not queue settings.
AUDIT_FIELD_LABELS = {
    "starts_on": "Starts on",
    "ends_on": "Ends on",
    "role": "Role",
    "scopes": "Scopes",
}

LABELS: dict[str, Mapping[str, str]] = {
    "coverage_reason": {reason.value: label for reason, label in REASON_LABELS.items()},
    "exclusion_reason": {reason.value: label for reason, label in EXCLUSION_LABELS.items()},
    "nobody_on_shift": NOBODY_ON_SHIFT_LABELS,
    "event": EVENT_LABELS,
    "channel": dict(InquiryChannel.choices),
    "inquiry_status": dict(InquiryStatus.choices),
    "delivery_status": dict(DeliveryStatus.choices),
    "rating_reason": {reason.value: str(reason.label) for reason in RatingReason},
    "review_source": dict(ReviewSource.choices),
    "account_kind": dict(AccountKind.choices),
    "pricing_term": {field.name: field.label for field in (*RATE_CARD_FIELDS, *CONTRACT_FIELDS)},
    "audit_field": {**{setting.name: setting.label for setting in QUEUE_SETTINGS},
                    **AUDIT_FIELD_LABELS},
}


def as_words(code: str) -> str:
    """"after_hours_not_covered" → "After hours not covered": the last resort."""
    return code.replace("_", " ").strip().capitalize()


def label(code: object, kind: str) -> str:
    """The label of `code` among the `kind` codes (a key of LABELS); an unknown code, or an
    unknown kind, reads as its words. No code shows as "—"."""
    text = "" if code is None else str(code)
    if not text:
        return "—"
    return LABELS.get(kind, {}).get(text) or as_words(text)
