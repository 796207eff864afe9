"""API-key authentication for brands' systems: `Authorization: Bearer sl_…` or `X-Api-Key`."""


from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from marketplace.access.models import ApiKey
from marketplace.access.scopes import ApiScope, missing_scope_body, required_scope_of
from marketplace.access.services import api_key_authenticate
from marketplace.access.throttles import (
    credential_failure_record,
    credential_failures_require_below_limit,
)
from marketplace.onboarding.models import Brand

if TYPE_CHECKING:
    from rest_framework.views import APIView


@dataclass(frozen=True)
class BrandApiClient:
    """The `request.user` of an API-key request: a brand's system, not a person."""

    brand: Brand
    api_key: ApiKey
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False


class BrandApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[BrandApiClient, ApiKey] | None:
        raw_key = self._raw_key(request)
        if raw_key is None:
            return None
        credential_failures_require_below_limit(request)
        api_key = api_key_authenticate(raw_key=raw_key, now=timezone.now())
        if api_key is None:
            credential_failure_record(request)
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        return BrandApiClient(brand=api_key.brand, api_key=api_key), api_key

    def _raw_key(self, request: Request) -> str | None:
        header = request.headers.get("X-Api-Key")
        if header:
            return header.strip()
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <key>'.")
        try:
            return parts[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("The API key is not valid text.") from error

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="shiftline"'


class HasBrandApiKey(BasePermission):
    message = "Authenticate with your brand's API key."

    def has_permission(self, request: Request, view: "APIView") -> bool:
        return isinstance(request.user, BrandApiClient)


class HasApiKeyScope(BasePermission):
    """Lets an API key call an operation only with the scope its handler names
    (`requires_scope`). A handler that names none is refused (fail closed; a test walks the
    URLconf so none ships that way). A method the view does not implement passes, so it
    answers 405, and OPTIONS (the view's metadata) needs no scope. Callers that are not API keys
    are not this permission's business: people are limited by their brand role, in services."""

    def has_permission(self, request: Request, view: "APIView") -> bool:
        client = request.user
        if not isinstance(client, BrandApiClient):
            return True
        method = request.method.lower() if request.method else ""
        handler = getattr(view, method, None)
        if handler is None or method == "options":
            return True
        scope = required_scope_of(handler)
        if scope is None:
            raise exceptions.PermissionDenied({
                "detail": "This operation names no API-key scope, so no key may call it.",
                "code": "scope_undeclared"})
        if not client.api_key.has_scope(scope):
            raise MissingScope(scope)
        return True


class MissingScope(exceptions.PermissionDenied):
    """403 naming the scope the key lacks, with its label, so whoever reads the error knows
    which key to create."""

    def __init__(self, scope: ApiScope) -> None:
        super().__init__(missing_scope_body(scope))
