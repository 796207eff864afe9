"""The expert's workspace: offers and open inquiries beside a reading pane; an inquiry opens in
the pane under its own address, so a reload stays on it."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from experts.profiles.models import ExpertProfile
from marketplace.delivery import services as delivery_services
from marketplace.inquiries.models import Inquiry
from routing.assignments import selectors as assignments_selectors
from routing.models import Offer, OfferStatus
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db

PANE = {"HX-Request": "true", "HX-Target": "pane"}


def offered(channel: str = "email", subject: str = "Zip stuck") -> tuple[ExpertProfile, Offer]:
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject=subject, channel=channel)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    return expert, Offer.objects.get(inquiry=inquiry)


def signed_in(expert: ExpertProfile) -> Client:
    client = Client()
    client.force_login(expert.user)
    return client


def test_the_workspace_lists_offers_beside_an_empty_pane(captured_tasks: list) -> None:
    expert, offer = offered()

    html = signed_in(expert).get("/expert/").content.decode()

    assert 'class="workspace-list"' in html
    assert f'id="offer-{offer.pk}"' in html
    assert '<section id="pane" class="workspace-pane" aria-label="Reading pane">' in html
    assert "<h1>Today</h1>" in html


def test_accepting_from_the_list_opens_the_inquiry_in_the_pane_under_its_address(
        captured_tasks: list) -> None:
    expert, offer = offered(subject="Zip stuck")

    response = signed_in(expert).post(f"/expert/offers/{offer.pk}/accept/", headers=PANE)

    assert response.status_code == 200
    assert json.loads(response["HX-Location"]) == {
        "path": f"/expert/inquiries/{offer.inquiry_id}/", "target": "#pane",
        "select": "#pane", "swap": "outerHTML"}


def test_accepting_from_a_banner_elsewhere_goes_to_the_inquiry(captured_tasks: list) -> None:
    expert, offer = offered()

    response = signed_in(expert).post(f"/expert/offers/{offer.pk}/accept/",
                                      HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == f"/expert/inquiries/{offer.inquiry_id}/"


def test_a_reload_of_the_inquirys_address_shows_it_in_the_workspace(captured_tasks: list) -> None:
    expert, offer = offered(subject="Zip stuck")
    offers_services.offer_accept(offer_id=offer.pk, expert=expert, now=timezone.now())

    html = signed_in(expert).get(f"/expert/inquiries/{offer.inquiry_id}/").content.decode()

    assert 'class="workspace-list"' in html
    assert f'data-inquiry="{offer.inquiry_id}"' in html
    assert "<h1>Zip stuck</h1>" in html
    assert html.count('id="open-inquiries"') == 1


def test_declining_from_the_list_leaves_the_pane_as_it_is(captured_tasks: list) -> None:
    expert, offer = offered()

    response = signed_in(expert).post(f"/expert/offers/{offer.pk}/decline/",
                                      {"reason": "busy"}, headers=PANE)

    offer.refresh_from_db()
    assert response.status_code == 204
    assert offer.status == OfferStatus.DECLINED


def test_a_reply_shows_pending_until_delivered_then_sent(captured_tasks: list) -> None:
    now = timezone.now()
    reply, expert = factories.expert_reply(on=factories.queue(), now=now, body="Try a pencil.")
    client = signed_in(expert)

    response = client.post(f"/expert/inquiries/{reply.inquiry_id}/reply/",
                           {"body": "One more thing."}, follow=True)
    pending = response.content.decode()
    delivery_services.message_deliver(message_id=reply.pk, now=now)
    after = client.get(f"/expert/inquiries/{reply.inquiry_id}/").content.decode()

    assert "Reply sent to the customer." not in pending
    assert f'<span id="delivery-{reply.pk}" class="delivery delivery-pending" ' \
           'data-delivery="pending">Pending</span>' in pending
    assert f'<span id="delivery-{reply.pk}" class="delivery delivery-delivered" ' \
           'data-delivery="delivered">Sent</span>' in after


def test_a_chat_shows_its_first_response_and_chat_reply_timers(captured_tasks: list) -> None:
    expert, offer = offered(channel="chat")
    assignment = offers_services.offer_accept(offer_id=offer.pk, expert=expert,
                                              now=timezone.now())

    html = signed_in(expert).get(f"/expert/inquiries/{offer.inquiry_id}/").content.decode()

    chat_due = assignment.created_at + timedelta(seconds=180)
    assert f'datetime="{chat_due.isoformat()}"' in html
    assert "timer-chat" in html
    assert "timer-first-response" in html


def test_timers_stop_at_the_first_reply_and_email_has_no_chat_timer(captured_tasks: list) -> None:
    now = timezone.now()
    expert, offer = offered(channel="email")
    assignment = offers_services.offer_accept(offer_id=offer.pk, expert=expert, now=now)
    inquiry = Inquiry.objects.get(pk=offer.inquiry_id)

    running = assignments_selectors.assignment_timers(assignment=assignment)
    Inquiry.objects.filter(pk=inquiry.pk).update(first_replied_at=now)
    assignment.refresh_from_db()
    stopped = assignments_selectors.assignment_timers(assignment=assignment)

    assert running == assignments_selectors.AssignmentTimers(
        first_response_due_at=inquiry.first_response_due_at, chat_reply_due_at=None)
    assert stopped == assignments_selectors.AssignmentTimers(first_response_due_at=None,
                                                             chat_reply_due_at=None)


def test_the_workspace_page_carries_the_shortcuts_overlay_and_its_script(
        captured_tasks: list) -> None:
    expert, _ = offered()

    html = signed_in(expert).get("/expert/").content.decode()

    assert '<dialog id="shortcuts"' in html
    assert "/static/frontend/workspace.js" in html
    assert 'aria-keyshortcuts="a"' in html


def test_the_pane_replaces_only_itself_when_htmx_loads_it(captured_tasks: list) -> None:
    expert, offer = offered()

    offers_services.offer_accept(offer_id=offer.pk, expert=expert, now=timezone.now())

    response = signed_in(expert).get(f"/expert/inquiries/{offer.inquiry_id}/", headers=PANE)

    assert (response["HX-Retarget"], response["HX-Reselect"], response["HX-Reswap"]) == (
        "#pane", "#pane", "outerHTML")
