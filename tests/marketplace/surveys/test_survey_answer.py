"""Invitations and answers: the delay, the single use, expiry, tampering, the reason rule, the
webhook event, the JSON endpoint for the widget."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from experts.quality.models import ExpertQuality, InquiryReview, ReviewSource
from marketplace.infra.errors import Conflict, FieldErrors, Gone, NotFound
from marketplace.inquiries.models import InquiryEvent, WebhookEvent
from marketplace.surveys import services as surveys
from marketplace.surveys.models import SurveyChannel, SurveyInvitation
from tests import factories
from tests.marketplace.surveys.helpers import resolved

pytestmark = pytest.mark.django_db

HELPDESK = "https://helpdesk.example/shiftline"


def test_an_email_inquiry_is_invited_once_after_the_queues_delay(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks: Any,
) -> None:
    queue = factories.queue()
    queue.survey_delay_hours = 24
    queue.save(update_fields=["survey_delay_hours"])
    inquiry = resolved(queue, now)

    early = surveys.survey_invitations_create_due(now=now + timedelta(hours=23, minutes=59))
    with django_capture_on_commit_callbacks(execute=True):
        due = surveys.survey_invitations_create_due(now=now + timedelta(hours=24))
    again = surveys.survey_invitations_create_due(now=now + timedelta(hours=25))

    assert (early, due, again) == (0, 1, 0)
    invitation = SurveyInvitation.objects.get(inquiry=inquiry)
    assert (invitation.channel, invitation.expires_at) == (
        SurveyChannel.EMAIL, now + timedelta(hours=24, days=28))
    sends = [args for name, args in captured_tasks
             if name == "marketplace.send_survey_invitation"]
    assert sends == [[invitation.pk]]

    sent = surveys.survey_invitation_send(invitation_id=invitation.pk, now=now + timedelta(days=1))
    resent = surveys.survey_invitation_send(invitation_id=invitation.pk,
                                            now=now + timedelta(days=1))

    assert (sent, resent) == (True, False)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.com"]
    assert f"/survey/{surveys.survey_token(invitation)}/" in mail.outbox[0].body


def test_a_delay_of_zero_invites_at_once_and_off_or_chat_never(
    now: datetime, captured_tasks: list,
) -> None:
    at_once = factories.queue()
    at_once.survey_delay_hours = 0
    at_once.save(update_fields=["survey_delay_hours"])
    off = factories.queue()
    off.survey_delivery = "off"
    off.survey_delay_hours = 0
    off.save(update_fields=["survey_delivery", "survey_delay_hours"])
    chat = factories.queue()
    chat.survey_delay_hours = 0
    chat.save(update_fields=["survey_delay_hours"])
    email = resolved(at_once, now)
    resolved(off, now)
    resolved(chat, now, channel="chat")

    assert surveys.survey_invitations_create_due(now=now) == 1
    assert list(SurveyInvitation.objects.values_list("inquiry_id", flat=True)) == [email.pk]


def test_the_helpdesk_gets_survey_requested_with_the_link_instead_of_an_email(
    now: datetime, captured_tasks: list,
) -> None:
    queue = factories.queue()
    queue.survey_delivery = "webhook"
    queue.survey_delay_hours = 0
    queue.outbound_webhook_url = HELPDESK
    queue.save(update_fields=["survey_delivery", "survey_delay_hours", "outbound_webhook_url"])
    inquiry = resolved(queue, now)

    surveys.survey_invitations_create_due(now=now)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.channel, invitation.sent_at) == (SurveyChannel.WEBHOOK, now)
    event = WebhookEvent.objects.get(inquiry=inquiry)
    assert event.event == "survey.requested"
    assert event.payload["data"] == {
        "survey_url": f"http://localhost:8000/survey/{surveys.survey_token(invitation)}/",
        "expires_at": (now + timedelta(days=28)).isoformat(), "language": "en"}
    assert not [name for name, _ in captured_tasks if name == "marketplace.send_survey_invitation"]


def test_a_chat_gets_one_token_however_often_it_asks(now: datetime, captured_tasks: list) -> None:
    inquiry = resolved(factories.queue(), now, channel="chat")

    first = surveys.survey_invitation_for_chat(inquiry=inquiry, now=now)
    second = surveys.survey_invitation_for_chat(inquiry=inquiry, now=now + timedelta(minutes=1))

    assert first == second
    assert SurveyInvitation.objects.get().channel == SurveyChannel.CHAT


def test_an_answer_is_recorded_once_and_refreshes_the_expert(
    now: datetime, captured_tasks: list,
) -> None:
    queue = factories.queue()
    queue.outbound_webhook_url = HELPDESK
    queue.webhook_events = ["survey.answered"]
    queue.save(update_fields=["outbound_webhook_url", "webhook_events"])
    inquiry = resolved(queue, now, channel="chat")
    token = surveys.survey_invitation_for_chat(inquiry=inquiry, now=now)

    review = surveys.survey_answer(token=token, rating=2, reasons=["shipping", "tone"],
                                   speed_as_promised=False, comment=" Slow parcel ", now=now)
    with pytest.raises(Conflict) as second:
        surveys.survey_answer(token=token, rating=5, reasons=[], speed_as_promised=True,
                              comment="", now=now)

    assert second.value.code == "survey_answered"
    assert (review.rating, review.reasons, review.source, review.speed_as_promised,
            review.comment) == (2, ["shipping", "tone"], ReviewSource.CUSTOMER_SURVEY, False,
                                "Slow parcel")
    assert InquiryReview.objects.count() == 1
    assert ExpertQuality.objects.get(expert=review.expert).csat_reviews == 1
    assert InquiryEvent.objects.filter(inquiry=inquiry, kind="survey_answered").count() == 1
    event = WebhookEvent.objects.get(inquiry=inquiry, event="survey.answered")
    assert event.payload["data"] == {"rating": 2, "reasons": ["shipping", "tone"],
                                     "speed_as_promised": False, "comment": "Slow parcel",
                                     "counts_for_expert": True}


def test_no_survey_answered_event_without_the_subscription(
    now: datetime, captured_tasks: list,
) -> None:
    queue = factories.queue()
    queue.outbound_webhook_url = HELPDESK
    queue.webhook_events = ["inquiry.resolved"]
    queue.save(update_fields=["outbound_webhook_url", "webhook_events"])
    inquiry = resolved(queue, now, channel="chat")
    token = surveys.survey_invitation_for_chat(inquiry=inquiry, now=now)

    surveys.survey_answer(token=token, rating=5, reasons=[], speed_as_promised=None,
                          comment="", now=now)

    assert not WebhookEvent.objects.filter(event="survey.answered").exists()


def test_a_rating_below_5_needs_a_reason_and_records_nothing_without(
    now: datetime, captured_tasks: list,
) -> None:
    inquiry = resolved(factories.queue(), now, channel="chat")
    token = surveys.survey_invitation_for_chat(inquiry=inquiry, now=now)

    with pytest.raises(FieldErrors) as refused:
        surveys.survey_answer(token=token, rating=4, reasons=[], speed_as_promised=True,
                              comment="", now=now)

    assert refused.value.errors == {"reasons": ["A rating below 5 needs at least one reason."]}
    assert not InquiryReview.objects.exists()
    assert SurveyInvitation.objects.get().answered_at is None


def test_a_5_keeps_no_reasons(now: datetime, captured_tasks: list) -> None:
    inquiry = resolved(factories.queue(), now, channel="chat")
    token = surveys.survey_invitation_for_chat(inquiry=inquiry, now=now)

    review = surveys.survey_answer(token=token, rating=5, reasons=["tone"],
                                   speed_as_promised=True, comment="", now=now)

    assert review.reasons == []


def test_an_expired_link_is_gone_and_a_tampered_one_unknown(
    now: datetime, captured_tasks: list,
) -> None:
    inquiry = resolved(factories.queue(), now, channel="chat")
    token = surveys.survey_invitation_for_chat(inquiry=inquiry, now=now)

    with pytest.raises(Gone):
        surveys.survey_answer(token=token, rating=5, reasons=[], speed_as_promised=None,
                              comment="", now=now + timedelta(days=28))
    with pytest.raises(NotFound):
        surveys.survey_answer(token=token[:-1] + ("A" if token[-1] != "A" else "B"), rating=5,
                              reasons=[], speed_as_promised=None, comment="", now=now)

    assert not InquiryReview.objects.exists()


def api(token: str, payload: dict[str, object]) -> Any:
    return Client().post(f"/survey/api/v1/{token}", payload, content_type="application/json",
                         HTTP_ORIGIN="https://shop.example")


def test_the_json_endpoint_answers_any_origin_once(now: datetime, captured_tasks: list) -> None:
    inquiry = resolved(factories.queue(), now, channel="chat")
    token = surveys.survey_invitation_for_chat(inquiry=inquiry, now=now)
    client = Client()

    preflight = client.options(f"/survey/api/v1/{token}", HTTP_ORIGIN="https://shop.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    missing_reason = api(token, {"rating": 3})
    bad_rating = api(token, {"rating": 9})
    created = api(token, {"rating": 3, "reasons": ["policy"], "speed_as_promised": True,
                          "comment": "Fine"})
    again = api(token, {"rating": 5})
    unknown = api("12.nope:forged", {"rating": 5})

    assert (preflight.status_code, preflight["Access-Control-Allow-Origin"]) == (204, "*")
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert (missing_reason.status_code, missing_reason.json()) == (
        400, {"reasons": ["A rating below 5 needs at least one reason."]})
    assert (bad_rating.status_code, list(bad_rating.json())) == (400, ["rating"])
    assert created.status_code == 201
    assert created["Access-Control-Allow-Origin"] == "*"
    assert {key: created.json()[key] for key in ("inquiry", "rating", "reasons",
                                                 "speed_as_promised")} == {
        "inquiry": inquiry.pk, "rating": 3, "reasons": ["policy"], "speed_as_promised": True}
    assert (again.status_code, again.json()["code"]) == (409, "survey_answered")
    assert again["Access-Control-Allow-Origin"] == "*"
    assert unknown.status_code == 404


def test_the_json_endpoint_says_an_expired_survey_is_gone(
    now: datetime, captured_tasks: list,
) -> None:
    inquiry = resolved(factories.queue(), now, channel="chat")
    token = surveys.survey_invitation_for_chat(inquiry=inquiry, now=now - timedelta(days=29))

    gone = api(token, {"rating": 5})

    assert (gone.status_code, gone.json()["code"]) == (410, "survey_expired")


def test_an_email_whose_task_was_lost_is_sent_again_by_the_sweep(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks: Any,
) -> None:
    queue = factories.queue()
    queue.survey_delay_hours = 0
    queue.save(update_fields=["survey_delay_hours"])
    resolved(queue, now)
    surveys.survey_invitations_create_due(now=now)
    invitation = SurveyInvitation.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        soon = surveys.survey_invitations_resume_unsent(now=now + timedelta(minutes=5))
        later = surveys.survey_invitations_resume_unsent(now=now + timedelta(minutes=11))
    surveys.survey_invitation_send(invitation_id=invitation.pk, now=now + timedelta(minutes=11))
    sent = surveys.survey_invitations_resume_unsent(now=now + timedelta(minutes=30))

    assert (soon, later, sent) == (0, 1, 0)
    assert [args for name, args in captured_tasks
            if name == "marketplace.send_survey_invitation"] == [[invitation.pk]]
    assert len(mail.outbox) == 1


def test_a_chat_not_resolved_has_no_survey_yet(now: datetime, captured_tasks: list) -> None:
    inquiry = factories.inquiry(on=factories.queue(), now=now, channel="chat")

    with pytest.raises(Conflict):
        surveys.survey_invitation_for_chat(inquiry=inquiry, now=now)

    assert not SurveyInvitation.objects.exists()


def test_beat_sends_the_surveys_through_a_registered_task(captured_tasks: list) -> None:
    from django.conf import settings

    from marketplace.celery import app
    from marketplace.surveys import tasks

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "marketplace.send_surveys" in scheduled
    assert {"marketplace.send_surveys", "marketplace.send_survey_invitation"} <= set(app.tasks)
    assert tasks.send_surveys() == 0
