"""The chat widget's script (/widget/v1.js, built by esbuild from frontend/widget/src during
`make setup`) and its translations (/widget/v1/catalog/<lang>.json, Django's JSON catalog of
the djangojs domain). Both are public: a brand's page on any origin loads them, and the API
behind them (marketplace's widget API) decides which origins may chat."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_response_headers
from django.views.decorators.http import etag, require_GET
from django.views.i18n import JSONCatalog

BUNDLE = Path(settings.BASE_DIR) / "frontend" / "widget" / "dist" / "v1.js"
# Versioned by the URL's major version, not by content: a fix reaches every brand's page
# within this many seconds, and the ETag makes the check cheap.
BUNDLE_MAX_AGE = 300
CATALOG_MAX_AGE = 3600
WIDGET_LANGUAGES = ("en", "es", "fi", "el", "hi")


@dataclass(frozen=True)
class Bundle:
    content: bytes
    etag: str


_cache: dict[float, Bundle] = {}


def bundle_read() -> Bundle | None:
    """The built file, read once per build (keyed by its modification time)."""
    try:
        modified = BUNDLE.stat().st_mtime
    except FileNotFoundError:
        return None
    if modified not in _cache:
        content = BUNDLE.read_bytes()
        _cache.clear()
        _cache[modified] = Bundle(content=content,
                                  etag=hashlib.sha256(content).hexdigest()[:32])
    return _cache[modified]


def _bundle_etag(request: HttpRequest) -> str | None:
    built = bundle_read()
    return built.etag if built else None


def _public(response: HttpResponseBase, *, max_age: int) -> HttpResponseBase:
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["X-Content-Type-Options"] = "nosniff"
    patch_response_headers(response, cache_timeout=max_age)
    patch_cache_control(response, public=True)
    return response


@require_GET
@etag(_bundle_etag)
def bundle(request: HttpRequest) -> HttpResponseBase:
    built = bundle_read()
    if built is None:
        response = HttpResponse(
            "The chat widget has not been built on this server: run `make setup` "
            "(npm run build:widget in frontend/).\n",
            status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        response["Access-Control-Allow-Origin"] = "*"
        return response
    return _public(HttpResponse(built.content, content_type="text/javascript; charset=utf-8"),
                   max_age=BUNDLE_MAX_AGE)


@require_GET
def catalog(request: HttpRequest, lang: str) -> HttpResponseBase:
    if lang not in WIDGET_LANGUAGES:
        raise Http404("No such language.")
    with translation.override(lang):
        # Only our catalog (frontend/locale), not the admin's strings every app would add.
        response = JSONCatalog.as_view(domain="djangojs", packages=["frontend"])(request)
    return _public(response, max_age=CATALOG_MAX_AGE)
