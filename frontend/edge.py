"""The one edge between domain errors and HTML pages, as `marketplace/exception_handler.py` is
for the REST API: services raise `marketplace.errors`, views let them through, and this module
decides what the person sees. A view never catches a domain error itself, so an error nobody
thought of is a clear page, not a server error.

- Too many requests (`RateLimited`) is the 429 page with `Retry-After` on every method.
- A missing object (`NotFound`) is the 404 page on every method: another tenant's id must look
  exactly like an id that does not exist.
- An htmx request gets the flash and a full navigation back (`HX-Redirect`): htmx swaps no
  4xx answer and would follow a redirect inside its XHR.
- A view that shows its form again with the person's input names that page with `form_view`:
  the form comes back as typed, the message flashed above it.
- A page (GET, HEAD) shows the styled page of the error's status with its message.
- A form post that is refused flashes the message and sends the browser back to the page the
  form was on (303); a forbidden one (`PermissionDenied`) is the 403 page, as Django's own is.

Django's own `Http404` and `PermissionDenied` get the same pages through `page_not_found` and
`permission_denied` (handler404 and handler403 in `marketplace/urls.py`); under `/api/` those
handlers answer in JSON instead (`marketplace/infra/api_errors.py`). A refused CSRF check
(`csrf_failure`, CSRF_FAILURE_VIEW) is the 403 page saying what to do, and a form's address
opened with GET (`MethodNotAllowedPageMiddleware`) the 405 page, never Django's bare answers."""

from collections.abc import Callable
from functools import partial, wraps
from typing import Concatenate
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.deprecation import MiddlewareMixin
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework import exceptions

from frontend.responses import navigate
from marketplace.infra.api_errors import api_error_response, is_api_request
from marketplace.infra.errors import Conflict, DomainError, FieldErrors, NotFound, PermissionDenied
from marketplace.infra.throttling import RateLimited

PAGE_METHODS = ("GET", "HEAD")
# The pages that exist; any other domain error (an invalid input, a bad token) is a 400.
PAGE_STATUSES = ((NotFound, 404), (PermissionDenied, 403), (Conflict, 409))
# Keys that carry a form-wide message rather than one field's.
FORM_WIDE_KEYS = ("", "__all__", "non_field_errors")


def refusal_lines(error: DomainError) -> list[str]:
    """What the person reads: one line per refused field ("Time zone: …"), else the message."""
    if not isinstance(error, FieldErrors):
        return [error.message]
    return [" ".join(texts) if field in FORM_WIDE_KEYS
            else f"{field.replace('_', ' ').capitalize()}: {' '.join(texts)}"
            for field, texts in error.errors.items()]


def field_errors(error: DomainError) -> dict[str, list[str]]:
    """The messages to mark beside each field of a form shown again; none for an error about
    the whole form (its message is in the flash)."""
    return error.errors if isinstance(error, FieldErrors) else {}


def page_status(error: DomainError) -> int:
    return next((status for kind, status in PAGE_STATUSES if isinstance(error, kind)), 400)


def error_page(request: HttpRequest, *, status: int, reasons: list[str]) -> HttpResponse:
    """The styled page of `status` (400, 403, 404, 405, 409 or 429) saying why; without a
    reason the template's own sentence stands."""
    return render(request, f"{status}.html", {
        "reasons": [reason for reason in reasons if reason],
    }, status=status)


def back_url(request: HttpRequest) -> str:
    """The page the form was on: the same-origin Referer. Without one (a privacy setting, a
    script) the person's home, never the action's own URL, which answers GET with a 405."""
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        parts = urlsplit(referer)
        if parts.path and parts.path != request.path:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return resolve_url("home")


def rate_limited_page(request: HttpRequest, error: RateLimited) -> HttpResponse:
    """Too many requests: the 429 page with `Retry-After`, for every method and htmx alike
    (nothing was done, and showing the form again would invite the next try)."""
    response = error_page(request, status=429, reasons=[error.message])
    response["Retry-After"] = str(error.retry_after)
    return response


def flash(request: HttpRequest, error: DomainError) -> None:
    """One error flash per line, so each refused field reads on its own."""
    for line in refusal_lines(error):
        messages.error(request, line)


def refusal_response(request: HttpRequest, error: DomainError,
                     render_invalid: Callable[[], HttpResponse] | None = None) -> HttpResponse:
    """What a refused request answers: the rules of the module docstring, in their order."""
    if isinstance(error, RateLimited):
        return rate_limited_page(request, error)
    if isinstance(error, NotFound):
        return error_page(request, status=404, reasons=[error.message])
    if request.headers.get("HX-Request") == "true":
        flash(request, error)
        return navigate(request, back_url(request))
    if render_invalid is not None:
        flash(request, error)
        return render_invalid()
    if request.method in PAGE_METHODS:
        return error_page(request, status=page_status(error), reasons=refusal_lines(error))
    if isinstance(error, PermissionDenied):
        return error_page(request, status=403, reasons=[error.message])
    flash(request, error)
    return HttpResponseRedirect(back_url(request), status=303)


class DomainErrorMiddleware(MiddlewareMixin):
    """Answers every domain error an HTML view lets through (process_exception runs only for
    exceptions raised by the view). Sits below MessageMiddleware so its flashes are stored."""

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        # DRF's exception handler answers the API's paths in JSON; the edge leaves them alone.
        if not isinstance(exception, DomainError) or is_api_request(request):
            return None
        return refusal_response(request, exception)


def form_view[**P](
    *, render_invalid: Callable[Concatenate[HttpRequest, DomainError, P], HttpResponse],
) -> Callable[[Callable[Concatenate[HttpRequest, P], HttpResponse]],
              Callable[Concatenate[HttpRequest, P], HttpResponse]]:
    """For a view that shows its form again when the input is refused, so nothing typed is
    lost: `render_invalid(request, error, *view_args, **view_kwargs)` draws the form from
    `request.POST` (and `field_errors(error)`) with a 4xx status; the edge has flashed the
    message. Every refusal but a missing object (still the 404 page) comes to it, so a form
    can also say "wrong account" in place. Put it closest to the view, under the access
    decorators, so it receives the same arguments the view does (mypy checks they match)."""

    def decorate(view: Callable[Concatenate[HttpRequest, P], HttpResponse]
                 ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except DomainError as error:
                show_form = partial(render_invalid, request, error, *args, **kwargs)
                return refusal_response(request, error, render_invalid=show_form)

        return wrapper

    return decorate


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: Django's `Http404` with its message (a URL that matches nothing carries
    the resolver's details, not a sentence, and gets the default text)."""
    message = exception.args[0] if exception.args else ""
    return error_page(request, status=404, reasons=[message if isinstance(message, str) else ""])


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: Django's `PermissionDenied` (the access decorators) with its message."""
    return error_page(request, status=403, reasons=[str(exception)])


CSRF_REFUSAL = ("This form could not be sent: its security check is out of date (the page was "
                "open a long time, or you logged in or out in another tab). Go back, reload the "
                "page and send the form again.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's own answer is a bare "403 Forbidden" page; `reason` is
    Django's technical detail, for logs, not for people."""
    if is_api_request(request):
        return api_error_response(exceptions.PermissionDenied(CSRF_REFUSAL))
    return error_page(request, status=403, reasons=[CSRF_REFUSAL])


class MethodNotAllowedPageMiddleware(MiddlewareMixin):
    """A view limited to some methods (`require_POST`) answers any other with an empty 405, a
    blank page for someone who opens a form's address (a reload, a bookmark, a shared link):
    they get the styled 405 page instead, with the same `Allow` header. The API's own 405s
    (DRF's, in JSON) are left alone."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code != 405 or response.streaming or response.content \
                or is_api_request(request):
            return response
        page = error_page(request, status=405, reasons=[])
        page["Allow"] = response.get("Allow", "")
        return page
