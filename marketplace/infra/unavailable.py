"""PostgreSQL down is a 503 with `Retry-After`, never a 500: JSON under `/api/`, the styled
503 page elsewhere. The connect timeout and the pool timeout (settings, DATABASES) make the
error come within seconds; this module turns it into the answer wherever it is raised:

- in a DRF view: the API's exception handler (`marketplace/infra/exception_handler.py`);
- in any other view: `DatabaseUnavailableMiddleware.process_exception`;
- in a middleware (the session, the signed-in user): Django's handler500, wrapped by
  `unavailable_aware` in `marketplace/urls.py`.

The page renders without a request, so nothing in it touches the database."""

import sys
from collections.abc import Callable
from typing import Any

import psycopg_pool
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.deprecation import MiddlewareMixin

from marketplace.infra.api_errors import is_api_request

RETRY_AFTER_SECONDS = 5
DETAIL = "The service is briefly unavailable. Try again in a few seconds."
CODE = "service_unavailable"


def database_unavailable(error: BaseException | None) -> bool:
    """A connection refused, timed out, dropped or not available from the pool."""
    return isinstance(error, OperationalError | InterfaceError | psycopg_pool.PoolTimeout)


def unavailable_payload() -> dict[str, str]:
    return {"detail": DETAIL, "code": CODE}


def unavailable_headers() -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_SECONDS)}


def unavailable_response(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return JsonResponse(unavailable_payload(), status=503, headers=unavailable_headers())
    page = loader.get_template("503.html").render()
    return HttpResponse(page, status=503, headers=unavailable_headers())


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    """Answers a database outage a view lets through (process_exception runs only for
    exceptions raised by the view)."""

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        return unavailable_response(request) if database_unavailable(exception) else None


def unavailable_aware(handler500: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """handler500 that answers 503 when the error being handled is a database outage (Django
    calls it inside its `except`, so the exception is the one in `sys.exc_info()`)."""

    def handler(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if database_unavailable(sys.exc_info()[1]):
            return unavailable_response(request)
        return handler500(request, *args, **kwargs)

    return handler
