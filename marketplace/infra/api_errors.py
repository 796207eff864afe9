"""Django's own error answers (handler400, 403, 404 and 500) under `/api/` (and the widget's
`/widget/api/`): JSON in the shape
the exception handler gives (`{"detail": ..., "code": ...}`), so a URL that matches nothing (an
unknown path, a malformed id) or a server error outside DRF's reach keeps the API's contract.
Every other path keeps its page; `marketplace/urls.py` pairs each page handler with its answer
here. Errors raised inside an API view never get this far: DRF's handler answers them."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.exceptions import APIException

API_PREFIX = "/api/"
API_PREFIXES = (API_PREFIX, "/widget/api/")
"""The brand API's and the chat widget's JSON APIs."""


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIXES)


def api_error_response(error: APIException) -> JsonResponse:
    return JsonResponse({"detail": str(error.detail), "code": error.default_code},
                        status=error.status_code)


def json_under_api(page_handler: Callable[..., HttpResponse], error: type[APIException]
                   ) -> Callable[..., HttpResponse]:
    """The page handler for pages, `error` as JSON under `/api/`. Keeps the page handler's
    signature, which Django's system check compares with the one each handler needs."""

    @wraps(page_handler)
    def handler(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_api_request(request):
            return api_error_response(error())
        return page_handler(request, *args, **kwargs)

    return handler
