"""HTTP basic auth for a queue's inbound email, as django-anymail's inbound webhooks take it:
the mail provider is given `https://shiftline:<queue secret>@host/api/v1/inbound/email/<id>`
and sends `Authorization: Basic …`, so the secret stays out of URL paths and access logs.

The authentication class only reads the credentials (the queue they must match is in the
path); the view checks them with `inbound_email_credentials_match`. Missing or wrong
credentials answer 401 with `WWW-Authenticate: Basic`, which also makes clients that wait for
a challenge send them."""


import base64
import binascii
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from marketplace.queues.models import OverflowQueue

if TYPE_CHECKING:
    from rest_framework.views import APIView

INBOUND_EMAIL_USERNAME = "shiftline"


INBOUND_EMAIL_REALM = "Shiftline inbound email"


@dataclass(frozen=True)
class BasicCredentials:
    username: str
    password: str


@dataclass(frozen=True)
class InboundCaller:
    """The `request.user` of a request that brought basic credentials: a mail provider, not a
    person. Whether the credentials fit the queue is the view's question."""

    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False


def _refused(detail: str) -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed({"detail": detail, "code": "unauthenticated"})


class InboundEmailBasicAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[InboundCaller, BasicCredentials] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"basic":
            return None
        if len(parts) != 2:
            raise _refused("The Authorization header must be 'Basic <base64 of user:password>'.")
        try:
            decoded = base64.b64decode(parts[1], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise _refused("The basic credentials are not base64 of 'user:password'.") \
                from error
        username, colon, password = decoded.partition(":")
        if not colon:
            raise _refused("The basic credentials are not base64 of 'user:password'.")
        return InboundCaller(), BasicCredentials(username=username, password=password)

    def authenticate_header(self, request: Request) -> str:
        return f'Basic realm="{INBOUND_EMAIL_REALM}", charset="UTF-8"'


class HasBasicCredentials(BasePermission):
    def has_permission(self, request: Request, view: "APIView") -> bool:
        if not isinstance(request.auth, BasicCredentials):
            raise exceptions.NotAuthenticated({
                "detail": "Send the queue's inbound email credentials with HTTP basic auth: "
                f"user {INBOUND_EMAIL_USERNAME}, password the queue's inbound secret (the "
                "channels page shows the whole URL).", "code": "unauthenticated"})
        return True


def require_inbound_email_credentials(*, queue: OverflowQueue,
                                      credentials: BasicCredentials) -> None:
    """Raises 401 unless user and password are the queue's, compared in constant time."""
    expected = f"{INBOUND_EMAIL_USERNAME}:{queue.inbound_email_token}".encode()
    given = f"{credentials.username}:{credentials.password}".encode()
    if not hmac.compare_digest(given, expected):
        raise _refused("Wrong user name or password for this queue's inbound email.")


def inbound_email_token_matches(*, queue: OverflowQueue, token: str) -> bool:
    """The deprecated token-in-path check, in constant time."""
    return hmac.compare_digest(queue.inbound_email_token.encode(), token.encode())


class InboundEmailBasicScheme(OpenApiAuthenticationExtension):
    target_class = InboundEmailBasicAuthentication
    name = "InboundEmailBasic"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "basic",
            "description": f"User `{INBOUND_EMAIL_USERNAME}`, password the queue's inbound "
            "email secret; the queue's channels page in the console shows the whole URL as "
            "`https://shiftline:<secret>@host/api/v1/inbound/email/<queue id>`, the form mail "
            "providers take.",
        }
