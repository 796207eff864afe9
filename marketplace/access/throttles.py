"""The API's throttles (DRF), counted by marketplace/infra/throttling.py in Redis and failing
open like every throttle there. A key whose `rate_limited` ops turned off is never counted.
Over the limit DRF answers 429 with `Retry-After`."""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from marketplace.access.models import ApiKey
from marketplace.infra.throttling import client_address, throttle_blocked, throttle_hit

if TYPE_CHECKING:
    from rest_framework.views import APIView

CREDENTIAL_FAILURES = "credential_failures"


class CountingThrottle(BaseThrottle):
    scope: str

    def __init__(self) -> None:
        self.wait_seconds: int | None = None

    def ident(self, request: Request, view: "APIView") -> str | None:
        """Whom to count, or None for a request this throttle leaves alone."""
        raise NotImplementedError

    def allow_request(self, request: Request, view: "APIView") -> bool:
        ident = self.ident(request, view)
        if ident is None:
            return True
        self.wait_seconds = throttle_hit(scope=self.scope, ident=ident)
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds


class ApiKeyRateThrottle(CountingThrottle):
    """Every operation, per API key."""

    scope = "api_key"

    def ident(self, request: Request, view: "APIView") -> str | None:
        api_key = request.auth
        if not isinstance(api_key, ApiKey) or not api_key.rate_limited:
            return None
        return f"key:{api_key.pk}"


class InboundQueueThrottle(CountingThrottle):
    """The signed webhook and inbound email, per queue (their only credential is the queue's
    secret, so the queue is the client)."""

    scope = "inbound"

    def ident(self, request: Request, view: "APIView") -> str | None:
        queue_id = view.kwargs.get("queue_id")
        return None if queue_id is None else f"queue:{queue_id}"


def credential_failures_require_below_limit(request: HttpRequest) -> None:
    """Refuses (429) a client address that sent too many wrong credentials lately, before its
    next one is even checked."""
    wait = throttle_blocked(scope=CREDENTIAL_FAILURES, ident=client_address(request))
    if wait is not None:
        raise exceptions.Throttled(wait, detail=f"Too many wrong credentials from your "
                                   f"address. Try again in {wait} seconds.")


def credential_failure_record(request: HttpRequest) -> None:
    """Counts one wrong API key, inbound token or webhook signature from the client address."""
    throttle_hit(scope=CREDENTIAL_FAILURES, ident=client_address(request))
