"""Every page shows times in its viewer's zone: this middleware activates it once per request
(`marketplace.accounts.selectors` says which), and the `when` filter
(`frontend/templatetags/when.py`) prints a time in it with the zone's abbreviation."""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from marketplace.accounts import selectors as accounts_selectors


class ViewerTimeZoneMiddleware:
    """After the authentication middleware. Anonymous requests (and the API's key-authenticated
    ones, which render no times in HTML) stay in UTC without a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(ZoneInfo(accounts_selectors.account_time_zone(user=user)))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
