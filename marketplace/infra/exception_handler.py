"""DRF's exception handler, extended with the domain errors: the API's one edge for errors."""


from typing import Any

from django.core.exceptions import RequestDataTooBig
from rest_framework.response import Response
from rest_framework.views import exception_handler

from marketplace.infra.errors import DomainError, FieldErrors
from marketplace.infra.parsers import PayloadTooLarge, body_limit
from marketplace.infra.throttling import RateLimited
from marketplace.infra.unavailable import (
    database_unavailable,
    unavailable_headers,
    unavailable_payload,
)


def domain_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, FieldErrors):
        return Response(exc.errors, status=exc.http_status)
    if isinstance(exc, RateLimited):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.http_status,
                        headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.http_status)
    if database_unavailable(exc):
        return Response(unavailable_payload(), status=503, headers=unavailable_headers())
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(body_limit())
    return exception_handler(exc, context)
