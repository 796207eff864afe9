"""The payout methods behind one interface. `send` asks the method to move one payout's money
and says whether it left (`SendResult.reference`) or was refused (`SendResult.failure`); a
transient error (network, rate limit, provider outage) raises `TransientProviderError` so the
task retries with the same idempotency key.

Stripe Connect: a Transfer from the platform balance to the expert's connected account, its
idempotency key the payout's own (`payout-<id>`), so a resumed run gets the first transfer back
instead of a second one. Stripe keeps keys for at least 24 hours only, so before creating a
transfer the send first looks for one it already made for this payout (the connected account's
transfers since the batch was drafted, matched by the payout id in their metadata) and adopts
it: a run resumed days after a crash does not pay twice. The SDK's HTTP client comes from
settings.STRIPE_HTTP_CLIENT when set (tests inject a recorded-shape fake there).

Bank file: nothing leaves here; the payout waits in the batch's CSV and SEPA files until ops
upload them to the bank and mark the batch paid.
"""

from dataclasses import dataclass
from typing import Protocol

import stripe
from django.conf import settings
from django.utils.module_loading import import_string

from billing.payouts.models import Payout, PayoutDetails, PayoutMethod
from marketplace.infra.errors import Conflict

PAYOUT_ID_METADATA = "shiftline_payout_id"
LOOKUP_SLACK_SECONDS = 3600


class TransientProviderError(Exception):
    """The provider could not be reached or asked us to slow down: try again later."""


class ProviderNotConfigured(Conflict):
    """The payout method lacks its settings (a Stripe secret key): a 409 for the page that
    asked, a retry later for a payout being sent."""


@dataclass(frozen=True)
class SendResult:
    reference: str = ""
    failure: str = ""


class PayoutProvider(Protocol):
    method: PayoutMethod

    def send(self, payout: Payout, details: PayoutDetails) -> SendResult: ...


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise ProviderNotConfigured("Stripe payouts are not set up on this platform yet; enter "
                                    "bank details instead.")
    http_client = (import_string(settings.STRIPE_HTTP_CLIENT)() if settings.STRIPE_HTTP_CLIENT
                   else None)
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, http_client=http_client,
                               max_network_retries=2)


class StripeConnectProvider:
    method = PayoutMethod.STRIPE

    def send(self, payout: Payout, details: PayoutDetails) -> SendResult:
        try:
            client = stripe_client()
        except ProviderNotConfigured as error:
            raise TransientProviderError(error.message) from error
        try:
            existing = self._existing_transfer_id(client, payout, details)
            if existing:
                return SendResult(reference=existing)
            transfer = client.v1.transfers.create(
                params={
                    "amount": payout.amount_minor,
                    "currency": payout.currency.lower(),
                    "destination": details.stripe_account_id,
                    "transfer_group": f"payout-week-{payout.batch.week_start.isoformat()}",
                    "description": f"Shiftline payout, week of {payout.batch.week_start}",
                    "metadata": {PAYOUT_ID_METADATA: str(payout.pk)},
                },
                options={"idempotency_key": payout.idempotency_key},
            )
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise TransientProviderError(str(error)) from error
        except stripe.StripeError as error:
            if error.http_status is not None and error.http_status >= 500:
                raise TransientProviderError(str(error)) from error
            return SendResult(failure=error.user_message or str(error))
        return SendResult(reference=transfer.id)

    @staticmethod
    def _existing_transfer_id(client: stripe.StripeClient, payout: Payout,
                              details: PayoutDetails) -> str:
        """The transfer an earlier attempt made for this payout, or "". Transfers cannot be
        searched by metadata, so the destination's transfers since the batch was drafted (an
        hour earlier, for clock skew) are read, a page of 100 at a time."""
        since = int(payout.batch.drafted_at.timestamp()) - LOOKUP_SLACK_SECONDS
        transfers = client.v1.transfers.list(params={
            "destination": details.stripe_account_id, "created": {"gte": since}, "limit": 100})
        for transfer in transfers.auto_paging_iter():
            metadata = transfer.metadata.to_dict() if transfer.metadata else {}
            if metadata.get(PAYOUT_ID_METADATA) == str(payout.pk):
                return str(transfer.id)
        return ""


class BankFileProvider:
    method = PayoutMethod.BANK_FILE

    def send(self, payout: Payout, details: PayoutDetails) -> SendResult:
        return SendResult()


def provider_for(method: str) -> PayoutProvider:
    if method == PayoutMethod.STRIPE:
        return StripeConnectProvider()
    return BankFileProvider()
