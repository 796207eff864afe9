"""django-axes' hooks (AXES_USERNAME_CALLABLE, AXES_LOCKOUT_CALLABLE): whom a login attempt
counts against, and what a locked-out login answers: the styled 429 page with `Retry-After`."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The typed username, trimmed and in lower case, so "Sam@X" and "sam@x " count as one
    account (usernames here are email addresses)."""
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username", "")
    return str(username).strip().lower()


def lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(request: HttpRequest, original_response: object = None,
                     credentials: object = None) -> HttpResponse:
    seconds = lockout_seconds()
    response = render(request, "429.html", {
        "reasons": [f"Too many failed logins for this account or from your address. "
                    f"Try again in {-(-seconds // 60)} minutes, reset your password, or ask "
                    f"Shiftline's ops team to lift the lockout."],
        "reset_link": True,
    }, status=429)
    response["Retry-After"] = str(seconds)
    return response
