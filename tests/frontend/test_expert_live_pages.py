"""Every expert work page keeps the expert present: it opens the one live socket of the tab
(heartbeat, offers as a banner, state on connect). The earnings page, which a suspended
expert may still open, does not."""

import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from routing.models import Offer
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db

SOCKET = 'hx-ext="ws, live-sync" ws-connect="/ws/expert/"'


def page_of(user: object, path: str) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize("path", ["/expert/", "/expert/shifts/", "/expert/shifts/mine/",
                                  "/expert/certifications/", "inquiry"])
def test_every_expert_work_page_opens_one_live_socket(path: str, captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    if path == "inquiry":
        inquiry = factories.inquiry(on=queue, now=now)
        offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
        offer = Offer.objects.get(inquiry=inquiry)
        offers_services.offer_accept(offer_id=offer.pk, expert=expert, now=now)
        path = f"/expert/inquiries/{inquiry.pk}/"

    html = page_of(expert.user, path)

    assert html.count(SOCKET) == 1
    assert html.count('id="offers"') == 1
    assert html.count('id="open-inquiries"') == 1
    assert html.count('id="connection"') == 1


@override_settings(PRESENCE_HEARTBEAT_SECONDS=3)
def test_the_heartbeat_interval_comes_from_the_settings() -> None:
    expert = factories.on_shift_expert(on=factories.queue(), now=timezone.now())

    html = page_of(expert.user, "/expert/shifts/")

    assert re.search(r'id="live" data-heartbeat-seconds="3"', html)


def test_a_page_outside_the_work_area_has_no_live_socket() -> None:
    expert = factories.on_shift_expert(on=factories.queue(), now=timezone.now())

    html = page_of(expert.user, "/expert/earnings/")

    assert "ws-connect" not in html


def test_the_offers_banner_is_on_pages_without_their_own_offer_list() -> None:
    expert = factories.on_shift_expert(on=factories.queue(), now=timezone.now())

    assert 'class="offers offer-banner"' in page_of(expert.user, "/expert/shifts/mine/")
    assert 'class="offers offer-banner"' not in page_of(expert.user, "/expert/")
