"""The ops console's network-wide pages: every brand's inquiries searched, filtered and paged
in a bounded number of queries; the brands list; the experts directory; the live board, drawn
on the page and pushed over /ws/ops/ to ops staff only."""

from datetime import datetime, timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from experts.certification import services as certification_services
from frontend.consumers import OpsBoardConsumer
from marketplace.inquiries.models import Inquiry, InquiryStatus
from tests import factories

pytestmark = pytest.mark.django_db


def ops_client() -> Client:
    client = Client()
    client.force_login(factories.user(is_staff=True))
    return client


def ids(response: object) -> list[int]:
    return [inquiry.pk for inquiry in response.context["page"].object_list]  # type: ignore[attr-defined]


def test_the_network_pages_are_for_ops_only() -> None:
    client = Client()
    client.force_login(factories.user())

    for url in ("/ops/inquiries/", "/ops/brands/", "/ops/experts/", "/ops/board/"):
        assert client.get(url).status_code == 403


def test_ops_see_every_brands_inquiries_and_search_them(now: datetime,
                                                        captured_tasks: list) -> None:
    acme = factories.queue(of=factories.brand(name="Acme Shoes"))
    globex = factories.queue(of=factories.brand(name="Globex"))
    parcel = factories.inquiry(on=acme, now=now, subject="Lost parcel")
    refund = factories.inquiry(on=globex, now=now + timedelta(minutes=1), subject="Refund please",
                               customer_email="kim@example.com", customer_name="Kim Lee")
    client = ops_client()

    assert ids(client.get("/ops/inquiries/")) == [refund.pk, parcel.pk]
    assert ids(client.get("/ops/inquiries/", {"q": "parcel"})) == [parcel.pk]
    assert ids(client.get("/ops/inquiries/", {"q": "acme"})) == [parcel.pk]
    assert ids(client.get("/ops/inquiries/", {"q": "Kim Lee"})) == [refund.pk]
    assert ids(client.get("/ops/inquiries/", {"q": "kim@example"})) == [refund.pk]
    assert ids(client.get("/ops/inquiries/", {"q": f"#{parcel.pk}"})) == [parcel.pk]
    page = client.get("/ops/inquiries/", {"q": "nothing like it"}).content.decode()
    assert "No inquiries match." in page


def test_ops_filter_inquiries_by_status_channel_risk_and_handed_back(
        now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    chat = factories.inquiry(on=queue, now=now, channel="chat")
    email = factories.inquiry(on=queue, now=now + timedelta(seconds=1))
    risky = factories.inquiry(on=queue, now=now + timedelta(seconds=2))
    Inquiry.objects.filter(pk=risky.pk).update(status=InquiryStatus.QUEUED, at_risk_at=now)
    Inquiry.objects.filter(pk=email.pk).update(status=InquiryStatus.HANDED_BACK,
                                               handed_back_reason="No expert in time")
    client = ops_client()

    assert ids(client.get("/ops/inquiries/", {"channel": "chat"})) == [chat.pk]
    assert ids(client.get("/ops/inquiries/", {"at_risk": "1"})) == [risky.pk]
    assert ids(client.get("/ops/inquiries/", {"handed_back": "1"})) == [email.pk]
    assert ids(client.get("/ops/inquiries/", {"status": "queued"})) == [risky.pk]
    assert ids(client.get("/ops/inquiries/", {"status": "bogus"})) == [risky.pk, email.pk,
                                                                       chat.pk]


def test_the_inquiry_list_pages_in_a_bounded_number_of_queries(
        now: datetime, captured_tasks: list, django_assert_max_num_queries: object) -> None:
    queues = [factories.queue() for _ in range(3)]
    for number in range(60):
        factories.inquiry(on=queues[number % 3], now=now + timedelta(seconds=number))
    client = ops_client()
    client.get("/ops/inquiries/")  # the session and the navigation's first lookups

    with django_assert_max_num_queries(8):  # type: ignore[operator]
        first = client.get("/ops/inquiries/")
    second = client.get("/ops/inquiries/", {"page": 2})

    assert len(ids(first)) == 50
    assert len(ids(second)) == 10
    assert "Page 1 of 2" in first.content.decode()


def test_the_brands_list_shows_each_brands_figures(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue(of=factories.brand(name="Acme Shoes"))
    factories.brand(name="Zeta Newcomer")
    certification_services.certification_grant(expert=factories.expert(now=now),
                                                brand=queue.brand, now=now)
    factories.inquiry(on=queue, now=now)
    risky = factories.inquiry(on=queue, now=now)
    Inquiry.objects.filter(pk=risky.pk).update(status=InquiryStatus.OFFERED, at_risk_at=now)

    response = ops_client().get("/ops/brands/")

    rows = {row.brand.name: row for row in response.context["rows"]}
    acme, newcomer = rows["Acme Shoes"], rows["Zeta Newcomer"]
    assert (acme.status, acme.queues, acme.experts_certified, acme.received_this_week,
            acme.at_risk_now) == ("Live", 1, 1, 2, 1)
    assert (newcomer.status, newcomer.queues, newcomer.experts_certified) == (
        "No queue yet", 0, 0)


def test_the_experts_directory_shows_status_certifications_and_quality(
        now: datetime, django_assert_max_num_queries: object) -> None:
    brand = factories.brand(name="Acme Shoes")
    expert = factories.expert(now=now, name="Ana Ribeiro")
    certification_services.certification_grant(expert=expert, brand=brand, now=now)
    for _ in range(5):
        factories.expert(now=now)
    client = ops_client()
    client.get("/ops/experts/")

    with django_assert_max_num_queries(8):  # type: ignore[operator]
        page = client.get("/ops/experts/", {"q": "ana"}).content.decode()

    assert "Ana Ribeiro" in page
    assert "Acme Shoes" in page
    assert "Approved" in page
    assert "No reviews yet" in page


def test_the_board_counts_each_queues_work_and_experts(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=now)
    factories.on_shift_expert(on=queue, now=now, checked_in=False)
    waiting = factories.inquiry(on=queue, now=now)
    Inquiry.objects.filter(pk=waiting.pk).update(status=InquiryStatus.QUEUED, at_risk_at=now)

    response = ops_client().get("/ops/board/")

    [row] = response.context["rows"]
    assert (row.waiting, row.at_risk, row.offered, row.experts_booked, row.experts_checked_in,
            row.experts_available) == (1, 1, 0, 2, 1, 1)
    assert 'ws-connect="/ws/ops/"' in response.content.decode()


def test_the_ops_nav_links_the_new_pages() -> None:
    page = ops_client().get("/ops/").content.decode()

    for url in ("/ops/board/", "/ops/inquiries/", "/ops/brands/", "/ops/experts/"):
        assert f'href="{url}"' in page


def _socket(user: object) -> WebsocketCommunicator:
    connection = WebsocketCommunicator(OpsBoardConsumer.as_asgi(), "/ws/ops/")
    connection.scope["user"] = user
    return connection


@pytest.mark.django_db(transaction=True)
def test_the_board_socket_refuses_anyone_but_ops() -> None:
    someone = factories.user()

    async def scenario() -> tuple[bool, int | None]:
        connected, code = await _socket(someone).connect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4403)


@pytest.mark.django_db(transaction=True)
def test_the_board_is_pushed_to_ops_when_an_expert_checks_in(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    staff = factories.user(is_staff=True)

    async def scenario() -> tuple[str, str]:
        socket = _socket(staff)
        assert (await socket.connect())[0]
        first = await socket.receive_from(timeout=5)
        await database_sync_to_async(factories.on_shift_expert)(on=queue, now=now)
        pushed = await socket.receive_from(timeout=5)
        await socket.disconnect()
        return first, pushed

    first, pushed = async_to_sync(scenario)()

    assert 'id="ops-board" hx-swap-oob="true"' in first
    assert f'id="board-queue-{queue.pk}"' in pushed
    assert "<td>0</td>" in first.split(f'id="board-queue-{queue.pk}"')[1]
    checked_in_cells = pushed.split(f'id="board-queue-{queue.pk}"')[1].split("</tr>")[0]
    assert checked_in_cells.count("<td>1</td>") == 3  # booked, checked in, available
