"""The promise stored on each new inquiry, from the queue as it is, and whether it was kept."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from marketplace.delivery import services as delivery
from marketplace.inquiries.models import Inquiry, InquirySource
from routing.assignments import services as assignments_services
from routing.models import Offer
from routing.offers import services as offers_services
from tests import factories
from tests.conftest import SUNDAY_AFTERNOON, TUESDAY_MORNING

pytestmark = pytest.mark.django_db

WEEKDAYS = tuple((day, "09:00", "17:00") for day in range(5))


def test_new_inquiry_with_a_free_expert_is_promised_the_default_handling_time(
    captured_tasks: list,
) -> None:
    queue = factories.queue(spans=WEEKDAYS)
    factories.on_shift_expert(on=queue, now=SUNDAY_AFTERNOON)

    inquiry = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)

    assert inquiry.promised_reply_by == SUNDAY_AFTERNOON + timedelta(minutes=11)
    assert inquiry.promise_basis["experts_on_shift"] == 1
    assert inquiry.promise_basis["free_capacity"] == 5
    assert inquiry.promise_basis["handling_samples"] == 0
    assert inquiry.promise_text.startswith("Thanks for writing to")


def test_nobody_on_shift_promises_the_brand_next_opening(captured_tasks: list) -> None:
    queue = factories.queue(spans=WEEKDAYS)

    inquiry = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)

    assert inquiry.promised_reply_by == datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
    assert "Nobody is on shift right now" in inquiry.promise_text
    assert inquiry.promise_basis["next_opening"] == "2026-11-23T09:00:00+00:00"


def test_in_business_hours_the_promise_is_the_target(captured_tasks: list) -> None:
    queue = factories.queue(spans=WEEKDAYS)

    inquiry = factories.inquiry(on=queue, now=TUESDAY_MORNING)

    assert inquiry.promised_reply_by == TUESDAY_MORNING + timedelta(minutes=15)
    assert inquiry.promise_basis["estimate"] == "brand_team"


def test_work_waiting_ahead_is_counted(captured_tasks: list) -> None:
    queue = factories.queue(spans=WEEKDAYS)
    factories.on_shift_expert(on=queue, now=SUNDAY_AFTERNOON)
    for _ in range(6):
        factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)

    seventh = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)

    assert seventh.promise_basis["waiting_ahead"] == 6
    assert seventh.promised_reply_by == SUNDAY_AFTERNOON + timedelta(minutes=21)


def _answer(queue_inquiry: Inquiry, at: datetime) -> Inquiry:
    offers_services.inquiry_route(inquiry_id=queue_inquiry.pk, now=queue_inquiry.received_at)
    offer = Offer.objects.get(inquiry=queue_inquiry)
    offers_services.offer_accept(offer_id=offer.pk, expert=offer.expert,
                                  now=queue_inquiry.received_at)
    assignments_services.assignment_reply(inquiry_id=queue_inquiry.pk, expert=offer.expert,
                                      author=offer.expert.user, body="On its way.", now=at)
    queue_inquiry.refresh_from_db()
    return queue_inquiry


def test_reply_before_the_promise_is_kept(captured_tasks: list) -> None:
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=SUNDAY_AFTERNOON)
    inquiry = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)
    assert inquiry.promised_reply_by is not None

    answered = _answer(inquiry, inquiry.promised_reply_by)

    assert answered.promise_kept is True


def test_reply_after_the_promise_is_missed(captured_tasks: list) -> None:
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=SUNDAY_AFTERNOON)
    inquiry = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)
    assert inquiry.promised_reply_by is not None

    answered = _answer(inquiry, inquiry.promised_reply_by + timedelta(seconds=1))

    assert answered.promise_kept is False


def test_recent_handling_times_feed_the_next_promise(captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=SUNDAY_AFTERNOON)
    first = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)
    _answer(first, SUNDAY_AFTERNOON + timedelta(minutes=2))
    assignments_services.assignment_resolve(inquiry_id=first.pk, expert=expert,
                                        now=SUNDAY_AFTERNOON + timedelta(minutes=3))

    later = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON + timedelta(minutes=5))

    assert later.promise_basis["handling_samples"] == 1
    assert later.promise_basis["handling_seconds"] == 120
    assert later.promised_reply_by == SUNDAY_AFTERNOON + timedelta(minutes=8)


def test_email_inquiry_gets_the_promise_by_email_once(
    captured_tasks: list, django_capture_on_commit_callbacks: Any
) -> None:
    queue = factories.queue()
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON, source=InquirySource.EMAIL)

    first = delivery.inquiry_send_acknowledgement(inquiry_id=inquiry.pk, now=SUNDAY_AFTERNOON)
    second = delivery.inquiry_send_acknowledgement(inquiry_id=inquiry.pk, now=SUNDAY_AFTERNOON)

    assert (first, second) == (True, False)
    assert ("marketplace.send_acknowledgement", [inquiry.pk]) in captured_tasks
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body == inquiry.promise_text
    assert mail.outbox[0].to == ["sam@example.com"]
    assert mail.outbox[0].extra_headers["In-Reply-To"] == inquiry.messages.get().email_message_id


def test_weekend_without_weekend_coverage_names_the_next_opening(captured_tasks: list) -> None:
    queue = factories.queue(spans=WEEKDAYS, covers_weekends=False)
    factories.on_shift_expert(on=queue, now=SUNDAY_AFTERNOON)

    inquiry = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)

    assert inquiry.promised_reply_by == datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
    assert inquiry.promise_basis["covered_by_network"] is False


def test_promise_summary_counts_kept_missed_and_open(captured_tasks: list) -> None:
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=SUNDAY_AFTERNOON)
    kept = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)
    assert kept.promised_reply_by is not None
    _answer(kept, kept.promised_reply_by)
    factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)
    Inquiry.objects.filter(pk=factories.inquiry(on=queue, now=SUNDAY_AFTERNOON).pk).update(
        promise_kept=False)
    factories.inquiry(on=factories.queue(), now=SUNDAY_AFTERNOON)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=queue.brand)}")

    summary = client.get("/api/v1/promises/summary").json()
    later = client.get("/api/v1/promises/summary",
                       {"received_after": "2026-11-23T00:00:00Z"}).json()

    assert summary == {"kept": 1, "missed": 1, "open": 1, "without_time": 0}
    assert later == {"kept": 0, "missed": 0, "open": 0, "without_time": 0}


def test_failed_acknowledgement_is_released_for_the_retry(
    captured_tasks: list, monkeypatch: pytest.MonkeyPatch,
) -> None:
    inquiry = factories.inquiry(on=factories.queue(), now=SUNDAY_AFTERNOON,
                                source=InquirySource.EMAIL)

    def refuse(*args: object, **kwargs: object) -> int:
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(OSError):
        delivery.inquiry_send_acknowledgement(inquiry_id=inquiry.pk, now=SUNDAY_AFTERNOON)
    monkeypatch.undo()
    sent = delivery.inquiry_send_acknowledgement(inquiry_id=inquiry.pk, now=SUNDAY_AFTERNOON)

    inquiry.refresh_from_db()
    assert sent is True
    assert inquiry.acknowledged_at == SUNDAY_AFTERNOON
    assert len(mail.outbox) == 1
