from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler

from marketplace.errors import DomainError, FieldErrors


def domain_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, FieldErrors):
        return Response(exc.errors, status=exc.http_status)
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.http_status)
    return exception_handler(exc, context)
