"""The site's sockets (the expert workspace's and the brand console's) open only from a page of
the same scheme, host and port as the socket itself; another scheme, another port or another
host (even one in ALLOWED_HOSTS) is refused."""

from datetime import datetime
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client

from marketplace.infra.websocket_origin import same_origin
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def connects(user: User, path: str, *, origin: bytes | None, host: bytes) -> bool:
    from marketplace.asgi import application

    client = Client()
    client.force_login(user)
    headers = [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
               (b"host", host)]
    if origin is not None:
        headers.append((b"origin", origin))

    async def scenario() -> bool:
        connection = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await connection.connect(timeout=10)
        if connected:
            await connection.disconnect()
        return connected

    return async_to_sync(scenario)()


# The socket is ws:// (the communicator's scheme) to 127.0.0.1:8000.
ORIGINS = [
    (b"http://127.0.0.1:8000", True),
    (b"HTTP://127.0.0.1:8000", True),
    (b"https://127.0.0.1:8000", False),
    (b"http://127.0.0.1:8001", False),
    (b"http://127.0.0.1", False),
    (b"http://localhost:8000", False),
    (b"https://evil.example", False),
    (b"null", False),
    (None, False),
]


@pytest.mark.parametrize(("origin", "expected"), ORIGINS)
def test_the_brand_socket_opens_only_from_the_sites_own_origin(
    origin: bytes | None, expected: bool
) -> None:
    member = factories.brand_member(of=factories.brand())

    assert connects(member, "/ws/brand/", origin=origin, host=b"127.0.0.1:8000") is expected


@pytest.mark.parametrize(("origin", "expected"), ORIGINS)
def test_the_expert_socket_opens_only_from_the_sites_own_origin(
    origin: bytes | None, expected: bool, now: datetime
) -> None:
    expert = factories.expert(now=now)

    assert connects(expert.user, "/ws/expert/", origin=origin,
                    host=b"127.0.0.1:8000") is expected


def test_a_default_port_may_be_written_or_left_out() -> None:
    member = factories.brand_member(of=factories.brand())

    assert connects(member, "/ws/brand/", origin=b"http://127.0.0.1", host=b"127.0.0.1:80")
    assert connects(member, "/ws/brand/", origin=b"http://127.0.0.1:80", host=b"127.0.0.1")


def scope(*, scheme: str, host: str, origin: str) -> dict[str, Any]:
    return {"type": "websocket", "scheme": scheme,
            "headers": [(b"host", host.encode()), (b"origin", origin.encode())]}


@pytest.mark.parametrize(("scheme", "host", "origin", "expected"), [
    ("wss", "shiftline.example.com", "https://shiftline.example.com", True),
    ("wss", "shiftline.example.com", "https://shiftline.example.com:443", True),
    ("wss", "shiftline.example.com", "http://shiftline.example.com", False),
    ("ws", "shiftline.example.com", "https://shiftline.example.com", False),
    ("wss", "shiftline.example.com", "https://shiftline.example.com:8443", False),
    ("wss", "shiftline.example.com", "https://app.shiftline.example.com", False),
    ("wss", "shiftline.example.com", "https://user@shiftline.example.com", False),
    ("wss", "shiftline.example.com", "https://shiftline.example.com:notaport", False),
    ("wss", "shiftline.example.com:notaport", "https://shiftline.example.com", False),
])
@pytest.mark.django_db(transaction=False)
def test_scheme_host_and_port_are_all_compared(scheme: str, host: str, origin: str,
                                               expected: bool) -> None:
    assert same_origin(scope(scheme=scheme, host=host, origin=origin)) is expected
