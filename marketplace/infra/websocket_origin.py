"""The site's own sockets (the expert workspace, the brand console) open only from the site's
own pages: the Origin header must name the same scheme, host and port as the connection itself
(`https://host:443` for a `wss://host` socket). Channels' `AllowedHostsOriginValidator`, kept
in front of this one, checks the host against ALLOWED_HOSTS but lets `http://` pages or another
port of the same host through.

Behind a TLS-terminating proxy the server must pass the scheme on (uvicorn `--proxy-headers`
with `X-Forwarded-Proto`), or every `https://` page is refused. The customer chat widget's
socket (embedded on brands' own sites) is not wrapped in `site_socket`: it checks the brand's
allowed origins instead."""

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier

DEFAULT_PORTS = {"http": 80, "https": 443}
SOCKET_TO_PAGE_SCHEME = {"ws": "http", "wss": "https"}

type Origin = tuple[str, str, int]


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _origin(scheme: str, netloc: str) -> Origin | None:
    """(scheme, lower-case host, port with the scheme's default), or None when malformed."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or scheme not in DEFAULT_PORTS:
        return None
    return scheme, parts.hostname.lower(), port if port is not None else DEFAULT_PORTS[scheme]


def origin_of_page(scope: dict[str, Any]) -> Origin | None:
    """The Origin header the browser sent with the socket (None when absent or malformed)."""
    header = _header(scope, b"origin")
    if header is None:
        return None
    try:
        parts = urlsplit(header)
    except ValueError:
        return None
    if parts.path not in ("", "/") or parts.query or parts.username is not None:
        return None
    return _origin(parts.scheme, parts.netloc)


def origin_of_site(scope: dict[str, Any]) -> Origin | None:
    """The origin the socket was opened on: its scheme (ws, wss) as a page's, and the Host
    header (or the server's address when there is none)."""
    scheme = SOCKET_TO_PAGE_SCHEME.get(scope.get("scheme", "ws"))
    if scheme is None:
        return None
    host = _header(scope, b"host")
    if host is None:
        server = scope.get("server")
        if not server:
            return None
        host = f"{server[0]}:{server[1]}"
    return _origin(scheme, host)


def same_origin(scope: dict[str, Any]) -> bool:
    page = origin_of_page(scope)
    return page is not None and page == origin_of_site(scope)


class SameOriginValidator:
    """ASGI middleware: a websocket whose page is of another origin is refused (closed before
    it is accepted, a 403 to the browser)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not same_origin(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)


def site_socket(application: Any) -> Any:
    """A socket of the site's own pages: the host allowed (ALLOWED_HOSTS) and the whole origin
    the same as the site's."""
    return AllowedHostsOriginValidator(SameOriginValidator(application))
