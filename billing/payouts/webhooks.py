"""The endpoint Stripe posts its events to, at /billing/stripe/webhook/ (outside the public API
and its schema). Thin: the service checks the signature and settles the payout; the project's
exception handler answers a domain error in JSON (a bad signature 401; a payout still being
sent 409, so Stripe delivers the event again later)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.payouts.services.webhooks import stripe_webhook_handle


class StripeWebhookApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    parser_classes: list[type] = []

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        outcome = stripe_webhook_handle(payload=request.body,
                                        signature=request.headers.get("Stripe-Signature", ""),
                                        now=timezone.now())
        return Response({"outcome": outcome})
