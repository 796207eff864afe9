"""Requests to addresses that brands give us (their helpdesk's webhook) must not reach
Shiftline's own network. A URL whose host is, or resolves to, a loopback, private, link-local
(cloud metadata at 169.254.169.254), shared, multicast or reserved address is refused when it
is saved and again when it is called. The call connects to the very address that was checked,
with the original name in the Host header and TLS server name, so a DNS answer that changes in
between (rebinding) cannot slip through; redirects are not followed.

`SHIFTLINE_OUTBOUND_ALLOW_PRIVATE` lifts the check for development and tests, where the helpdesk
is a local server."""


import ipaddress
import socket
from typing import Any

import httpx
from django.conf import settings


class UnsafeDestination(Exception):
    """The URL cannot be called: its host does not resolve or is not on the public internet."""


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


def vetted_addresses(url: str) -> list[str]:
    """Every address the URL's host resolves to, each checked; raises UnsafeDestination."""
    parsed = httpx.URL(url)
    host = parsed.host
    if not host:
        raise UnsafeDestination("The URL has no host.")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeDestination(f"The host {host} could not be resolved.") from error
    addresses = list(dict.fromkeys(str(answer[4][0]) for answer in answers))
    if not settings.SHIFTLINE_OUTBOUND_ALLOW_PRIVATE:
        for address in addresses:
            if not _is_public(ipaddress.ip_address(address.split("%")[0])):
                raise UnsafeDestination(
                    f"The host {host} points into a private or reserved network ({address}); "
                    "give the public address of your helpdesk.")
    if not addresses:
        raise UnsafeDestination(f"The host {host} could not be resolved.")
    return addresses


def post(url: str, *, content: bytes, headers: dict[str, str], timeout: float) -> httpx.Response:
    """POSTs to the first vetted address of the URL's host, never following a redirect."""
    parsed = httpx.URL(url)
    address = vetted_addresses(url)[0]
    extensions: dict[str, Any] = {}
    if parsed.scheme == "https":
        extensions["sni_hostname"] = parsed.host
    name = f"[{parsed.host}]" if ":" in parsed.host else parsed.host  # IPv6 in brackets
    host_header = name if parsed.port is None else f"{name}:{parsed.port}"
    return send(parsed.copy_with(host=address), content=content,
                headers={**headers, "Host": host_header}, timeout=timeout, extensions=extensions)


def send(url: httpx.URL, *, content: bytes, headers: dict[str, str], timeout: float,
         extensions: dict[str, Any]) -> httpx.Response:
    """The HTTP boundary (tests replace it): one request, redirects not followed."""
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        return client.post(url, content=content, headers=headers, extensions=extensions)
