"""Brands' webhook URLs cannot reach Shiftline's own network (marketplace/infra/outbound.py):
refused when saved, and again when called, after DNS, so a name that later resolves inside
(rebinding) fails the delivery instead of reaching it."""

import socket
from datetime import datetime
from typing import Any

import httpx
import pytest
from django.test import override_settings

from marketplace.delivery import services as delivery
from marketplace.delivery.models import DeliveryAttempt
from marketplace.infra import outbound
from marketplace.infra.errors import DomainError
from marketplace.inquiries.models import DeliveryStatus, Message
from marketplace.onboarding.models import BrandMembership
from marketplace.queues import services as queue_channels
from tests import factories

pytestmark = pytest.mark.django_db

UNSAFE = [
    "http://127.0.0.1/hook", "http://localhost:8000/hook", "http://169.254.169.254/latest",
    "http://10.0.0.5/hook", "http://192.168.1.20/hook", "http://172.16.4.4/hook",
    "http://100.64.0.1/hook", "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook",
    "http://[fd00::1]/hook", "http://0.0.0.0/hook", "http://224.0.0.1/hook",
]


def _resolving(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr("marketplace.infra.outbound.socket.getaddrinfo", resolve)


@override_settings(SHIFTLINE_OUTBOUND_ALLOW_PRIVATE=False)
@pytest.mark.parametrize("url", UNSAFE)
def test_a_url_into_a_private_network_is_refused_when_saved(url: str) -> None:
    queue = factories.queue()
    owner = BrandMembership.objects.get(user=factories.brand_member(of=queue.brand))

    with pytest.raises(DomainError, match="private or reserved network") as refused:
        queue_channels.queue_set_outbound_webhook(queue=queue, membership=owner, url=url)

    assert refused.value.code == "unsafe_url"
    queue.refresh_from_db()
    assert queue.outbound_webhook_url == ""


@override_settings(SHIFTLINE_OUTBOUND_ALLOW_PRIVATE=False)
def test_a_name_that_resolves_inside_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolving(monkeypatch, "10.1.2.3")

    with pytest.raises(outbound.UnsafeDestination, match=r"helpdesk\.acme\.test .*10\.1\.2\.3"):
        outbound.vetted_addresses("https://helpdesk.acme.test/hook")


@override_settings(SHIFTLINE_OUTBOUND_ALLOW_PRIVATE=False)
def test_a_public_helpdesk_is_saved() -> None:
    queue = factories.queue()
    owner = BrandMembership.objects.get(user=factories.brand_member(of=queue.brand))

    queue_channels.queue_set_outbound_webhook(queue=queue, membership=owner,
                                              url="https://helpdesk.example/hook")

    queue.refresh_from_db()
    assert queue.outbound_webhook_url == "https://helpdesk.example/hook"


def test_a_host_that_does_not_resolve_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: Any, **__: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr("marketplace.infra.outbound.socket.getaddrinfo", fail)

    with pytest.raises(outbound.UnsafeDestination, match="could not be resolved"):
        outbound.vetted_addresses("https://nowhere.invalid/hook")


@override_settings(SHIFTLINE_OUTBOUND_ALLOW_PRIVATE=False)
def test_rebinding_after_saving_fails_the_delivery_without_a_request(
    monkeypatch: pytest.MonkeyPatch, captured_tasks: list, now: datetime,
) -> None:
    queue = factories.queue()
    queue.outbound_webhook_url = "https://helpdesk.example/hook"  # public when it was saved
    queue.save(update_fields=["outbound_webhook_url"])
    reply, _ = factories.expert_reply(on=queue, now=now, body="On its way.")
    sent: list[object] = []
    monkeypatch.setattr("marketplace.infra.outbound.send", lambda *a, **k: sent.append(a))
    _resolving(monkeypatch, "169.254.169.254")

    delivered = delivery.message_deliver(message_id=reply.pk, now=now)

    assert delivered.delivery_status == DeliveryStatus.FAILED
    assert sent == []
    attempt = DeliveryAttempt.objects.get(message=reply)
    assert "private or reserved network (169.254.169.254)" in attempt.error
    assert Message.objects.get(pk=reply.pk).delivery_status == DeliveryStatus.FAILED


def test_the_call_goes_to_the_checked_address_under_the_helpdesk_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []

    def record(url: httpx.URL, **kwargs: Any) -> httpx.Response:
        calls.append({"url": str(url), **kwargs})
        return httpx.Response(204, request=httpx.Request("POST", url))

    monkeypatch.setattr("marketplace.infra.outbound.send", record)
    _resolving(monkeypatch, "93.184.215.14")

    outbound.post("https://helpdesk.acme.test:8443/hook?x=1", content=b"{}",
                  headers={"Content-Type": "application/json"}, timeout=5)

    call = calls[0]
    assert call["url"] == "https://93.184.215.14:8443/hook?x=1"
    assert call["headers"]["Host"] == "helpdesk.acme.test:8443"
    assert call["extensions"] == {"sni_hostname": "helpdesk.acme.test"}
