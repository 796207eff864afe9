"""Work after commit (a task, a live push) never undoes the request that committed: a broker or
channel layer that is down is logged under a readable name and the caller gets its answer."""

from datetime import datetime

import pytest

from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def _down(*_: object, **__: object) -> None:
    raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_channel_layer_that_is_down_does_not_fail_routing(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks,
    caplog: pytest.LogCaptureFixture, captured_tasks: list, now: datetime,
) -> None:
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    monkeypatch.setattr("marketplace.infra.push._send", _down)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    assert outcome.offer_id is not None
    assert f"Error calling push to brand.{queue.brand_id} in on_commit()" in caplog.text
    assert "Error calling push to expert." in caplog.text
