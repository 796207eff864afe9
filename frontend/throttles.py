"""Throttles of the public forms (sign-up, applying, password reset): per client address and
per email address typed, so neither one machine nor one inbox can be flooded. Over the limit the
edge answers the 429 page with Retry-After (frontend/edge.py)."""

from django.http import HttpRequest

from marketplace.infra.throttling import client_address, hashed, throttle_require


def form_throttle_require(request: HttpRequest, *, scope: str, email: str) -> None:
    """Counts this post; raises RateLimited when its address or its email is over `scope`'s
    rate."""
    throttle_require(scope=scope, idents=[f"address:{client_address(request)}",
                                          f"email:{hashed(email)}"])
