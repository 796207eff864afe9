"""`Cache-Control: no-store` on what only its reader may see: every answer to a signed-in user
and every answer under `/api/` (a shared computer's back button or a proxy must not keep an
inbox). Static files (served by WhiteNoise before this runs) and the public pages of visitors
stay cacheable."""

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.deprecation import MiddlewareMixin

from marketplace.infra.api_errors import is_api_request


class NoStoreForPrivateMiddleware(MiddlewareMixin):
    """Listed after WhiteNoise and Django's AuthenticationMiddleware."""

    def process_response(self, request: HttpRequest,
                         response: HttpResponseBase) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if is_api_request(request) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
