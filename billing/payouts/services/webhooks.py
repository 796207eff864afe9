"""Stripe's webhook: the signature is checked by the SDK (`stripe.Webhook.construct_event`)
with settings.STRIPE_WEBHOOK_SECRET; then a transfer's events settle its payout. A transfer
that reaches the connected account pays the payout; a reversed one fails it, and the money is
owed to the expert again; a transfer reversed in part returns only the reversed amount.
Events for other objects are acknowledged and ignored; a redelivered event changes nothing
(each payout moves on only from the state before)."""

from datetime import datetime
from typing import Any

import stripe
from django.conf import settings

from billing.payouts.models import Payout, PayoutStatus
from billing.payouts.services.execution import (
    payout_mark_paid,
    payout_record_reversal,
)
from marketplace.infra.errors import Conflict, Unauthenticated

PAID_EVENTS = frozenset({"transfer.created", "transfer.updated"})
FAILED_EVENTS = frozenset({"transfer.reversed"})


def stripe_webhook_handle(*, payload: bytes, signature: str, now: datetime) -> str:
    """Returns what it did, for the log. Raises Unauthenticated (401) on a bad signature."""
    try:
        event = stripe.Webhook.construct_event(payload, signature,
                                               settings.STRIPE_WEBHOOK_SECRET)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise Unauthenticated("The Stripe signature does not match.") from error
    if event.type not in PAID_EVENTS | FAILED_EVENTS:
        return "ignored"
    transfer = event.data.object.to_dict()
    payout = _payout_for(transfer)
    if payout is None:
        return "unknown transfer"
    if payout.status == PayoutStatus.PENDING:
        raise Conflict("The payout is still being sent; Stripe retries this event later.")
    amount_reversed = int(transfer.get("amount_reversed") or 0)
    if event.type in FAILED_EVENTS or transfer.get("reversed") or amount_reversed:
        if transfer.get("reversed") or not amount_reversed:
            amount_reversed = payout.amount_minor
        payout = payout_record_reversal(payout_id=payout.pk,
                                        amount_reversed_minor=amount_reversed, now=now)
        return "failed" if payout.status == PayoutStatus.FAILED else "partly reversed"
    payout_mark_paid(payout_id=payout.pk, now=now)
    return "paid"


def _payout_for(transfer: dict[str, Any]) -> Payout | None:
    metadata = transfer.get("metadata") or {}
    payout_id = metadata.get("shiftline_payout_id", "")
    if payout_id.isdigit():
        return Payout.objects.filter(pk=int(payout_id)).first()
    return Payout.objects.filter(provider_reference=transfer.get("id", "") or "-").first()
