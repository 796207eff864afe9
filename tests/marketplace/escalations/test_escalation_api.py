"""Sending back and confirming escalations over REST, with the key's scope and the brand's
own inquiries only; the console's panel and the expert's form post to the same services."""

from datetime import datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from experts.profiles.models import ExpertProfile
from marketplace.access.scopes import ApiScope
from marketplace.inquiries.models import Inquiry, InquiryEvent, InquiryStatus
from marketplace.onboarding.models import Brand
from routing.escalations import services as escalations
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def escalated(now: datetime) -> tuple[Inquiry, ExpertProfile]:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    escalations.assignment_escalate(inquiry_id=inquiry.pk, expert=expert,
                                    reason="technical_fault", note="",
                                    summary="The checkout page crashes.", now=now)
    return inquiry, expert


def api(brand: Brand, scopes: tuple[str, ...] = (ApiScope.INQUIRIES_WRITE,)) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=brand, scopes=scopes)}")
    return client


def test_the_api_sends_an_escalation_back_with_a_note(now: datetime, captured_tasks: list) -> None:
    inquiry, _ = escalated(now)

    response = api(inquiry.brand).post(f"/api/v1/inquiries/{inquiry.pk}/escalation/send-back",
                                       {"note": "Fixed: ask them to try again."}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["inquiry"], body["status"], body["reason"], body["summary"]) == (
        inquiry.pk, "queued", "technical_fault", "The checkout page crashes.")
    event = InquiryEvent.objects.get(inquiry=inquiry, kind="escalation_sent_back")
    assert event.data["by"].startswith("API key ")


def test_the_api_refuses_a_send_back_without_a_note(now: datetime, captured_tasks: list) -> None:
    inquiry, _ = escalated(now)

    response = api(inquiry.brand).post(f"/api/v1/inquiries/{inquiry.pk}/escalation/send-back",
                                       {}, format="json")

    assert response.status_code == 400
    assert "note" in response.json()
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ESCALATED


def test_the_api_confirms_an_escalation(now: datetime, captured_tasks: list) -> None:
    inquiry, _ = escalated(now)

    response = api(inquiry.brand).post(f"/api/v1/inquiries/{inquiry.pk}/escalation/confirm")

    assert response.status_code == 200, response.content
    assert response.json()["confirmed_at"] is not None


def test_a_key_without_the_write_scope_is_refused(now: datetime, captured_tasks: list) -> None:
    inquiry, _ = escalated(now)

    response = api(inquiry.brand, scopes=(ApiScope.INQUIRIES_READ,)).post(
        f"/api/v1/inquiries/{inquiry.pk}/escalation/confirm")

    assert response.status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.escalation_confirmed_at is None


def test_another_brands_key_gets_404_and_changes_nothing(now: datetime,
                                                          captured_tasks: list) -> None:
    inquiry, _ = escalated(now)
    other = api(factories.brand())

    sent_back = other.post(f"/api/v1/inquiries/{inquiry.pk}/escalation/send-back",
                           {"note": "Mine now"}, format="json")
    confirmed = other.post(f"/api/v1/inquiries/{inquiry.pk}/escalation/confirm")

    assert (sent_back.status_code, confirmed.status_code) == (404, 404)
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.escalation_confirmed_at) == (InquiryStatus.ESCALATED, None)


def test_the_api_answers_409_for_an_inquiry_that_is_not_escalated(
    now: datetime, captured_tasks: list,
) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=now)

    response = api(queue.brand).post(f"/api/v1/inquiries/{inquiry.pk}/escalation/confirm")

    assert response.status_code == 409
    assert "not escalated" in response.json()["detail"]


def test_the_expert_escalates_from_their_inquiry_page(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    browser = Client()
    browser.force_login(expert.user)

    page = browser.get(f"/expert/inquiries/{inquiry.pk}/")
    refused = browser.post(f"/expert/inquiries/{inquiry.pk}/escalate/",
                           {"reason": "other", "note": "", "summary": "Help"})
    done = browser.post(f"/expert/inquiries/{inquiry.pk}/escalate/",
                        {"reason": "angry_or_legal", "note": "", "summary": "Threatens to sue."})

    assert b"Escalate to the brand" in page.content
    assert refused.status_code == 303, refused.content.decode()[-1500:]
    assert done.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.escalation_reason) == (InquiryStatus.ESCALATED,
                                                           "angry_or_legal")


def test_the_brand_panel_shows_the_escalation_and_sends_it_back(
    now: datetime, captured_tasks: list,
) -> None:
    inquiry, _ = escalated(now)
    browser = Client()
    browser.force_login(factories.brand_member(of=inquiry.brand))

    page = browser.get(f"/brand/inquiries/{inquiry.pk}/")
    response = browser.post(f"/brand/inquiries/{inquiry.pk}/escalation/send-back/",
                            {"note": "Refund approved."})

    assert b"The checkout page crashes." in page.content
    assert b"Send back to the network" in page.content
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.QUEUED
