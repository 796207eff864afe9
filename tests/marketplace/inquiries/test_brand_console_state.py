"""State sync on reconnect: the brand console's socket receives the live queue as it is now."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing.websocket import WebsocketCommunicator
from django.utils import timezone

from marketplace.inquiries.consumers import LIVE_QUEUE_ROWS, BrandConsumer
from marketplace.inquiries.models import Inquiry, InquiryStatus
from tests import factories

pytestmark = pytest.mark.django_db


def first_frame(user: object) -> str:
    async def scenario() -> str:
        connection = WebsocketCommunicator(BrandConsumer.as_asgi(), "/ws/brand/")
        connection.scope["user"] = user
        assert (await connection.connect())[0]
        frame = await connection.receive_from(timeout=5)
        await connection.disconnect()
        return frame

    return async_to_sync(scenario)()


def test_the_console_socket_receives_the_live_queue_on_connect() -> None:
    now = timezone.now()
    queue = factories.queue()
    member = factories.brand_member(of=queue.brand)
    waiting = factories.inquiry(on=queue, now=now, subject="Still waiting")
    done = factories.inquiry(on=queue, now=now, subject="Already closed")
    Inquiry.objects.filter(pk=done.pk).update(status=InquiryStatus.RESOLVED)
    other = factories.inquiry(on=factories.queue(), now=now, subject="Another brand's")

    frame = first_frame(member)

    assert frame.startswith('<tbody id="live-rows" hx-swap-oob="innerHTML">')
    assert f'id="inquiry-row-{waiting.pk}"' in frame
    assert "Still waiting" in frame
    assert f'id="inquiry-row-{done.pk}"' not in frame
    assert f'id="inquiry-row-{other.pk}"' not in frame


def test_the_state_is_the_first_page_newest_first() -> None:
    now = timezone.now()
    queue = factories.queue()
    member = factories.brand_member(of=queue.brand)
    inquiries = [factories.inquiry(on=queue, now=now) for _ in range(LIVE_QUEUE_ROWS + 1)]

    frame = first_frame(member)

    assert frame.count('id="inquiry-row-') == LIVE_QUEUE_ROWS
    assert f'id="inquiry-row-{inquiries[0].pk}"' not in frame
    assert frame.index(f'inquiry-row-{inquiries[-1].pk}"') < frame.index(
        f'inquiry-row-{inquiries[1].pk}"')
