"""Responses that work the same for a plain form post and an htmx-boosted one."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url


def navigate(request: HttpRequest, to: str, **kwargs: Any) -> HttpResponse:
    """Send the browser to another page. An htmx request follows a 302 inside its XHR and would
    swap the new page in under the old address, so it gets `HX-Redirect`, a real navigation."""
    url = resolve_url(to, **kwargs)
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)
