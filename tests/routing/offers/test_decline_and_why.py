"""Declining takes a reason from the list (and words of one's own for "Other"); an expert's
offer card says why the offer came to them."""

from datetime import datetime

import pytest
from django.test import Client

from marketplace.infra.errors import DomainError
from marketplace.inquiries.models import InquiryEvent
from routing.models import Offer, OfferStatus
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def offered(now: datetime) -> Offer:
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject="Broken zip")
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    return Offer.objects.select_related("expert").get(inquiry=inquiry)


@pytest.mark.parametrize(
    ("reason", "note", "code"),
    [("", "", "reason_required"), ("Busy", "", "reason_required"),
     ("other", "   ", "note_required")],
)
def test_decline_without_a_listed_reason_is_refused_and_changes_nothing(
    now: datetime, captured_tasks: list, reason: str, note: str, code: str
) -> None:
    offer = offered(now)

    with pytest.raises(DomainError) as refused:
        offers_services.offer_decline(
            offer_id=offer.pk, expert=offer.expert, reason=reason, note=note, now=now
        )

    assert refused.value.code == code
    offer.refresh_from_db()
    assert (offer.status, offer.decline_code, offer.decline_reason) == (OfferStatus.PENDING,
                                                                        "", "")
    assert captured_tasks == []


def test_decline_over_http_keeps_the_reason_and_the_note_on_the_timeline(
    now: datetime, captured_tasks: list
) -> None:
    offer = offered(now)
    client = Client()
    client.force_login(offer.expert.user)

    response = client.post(f"/expert/offers/{offer.pk}/decline/",
                           {"reason": "other", "note": "I know their rival too well"})

    offer.refresh_from_db()
    assert response.status_code == 302
    assert (offer.status, offer.decline_code, offer.decline_reason) == (
        OfferStatus.DECLINED, "other", "I know their rival too well")
    event = InquiryEvent.objects.get(inquiry=offer.inquiry, kind="declined")
    assert event.description == (f"Declined by {offer.expert.display_name}: Other (say why) "
                                 "(I know their rival too well)")


def test_decline_over_http_without_a_reason_shows_the_error(now: datetime,
                                                            captured_tasks: list) -> None:
    offer = offered(now)
    client = Client()
    client.force_login(offer.expert.user)

    response = client.post(f"/expert/offers/{offer.pk}/decline/", {"reason": ""}, follow=True)

    assert b"Choose why you decline, so routing can learn." in response.content
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PENDING


def test_the_card_lists_the_reasons_and_says_why_the_offer_came(now: datetime,
                                                               captured_tasks: list) -> None:
    offer = offered(now)
    client = Client()
    client.force_login(offer.expert.user)

    page = client.get("/expert/").content.decode()

    assert '<option value="language">Not confident in the language</option>' in page
    assert "You were ranked 1 of 1 eligible: 0 active on this channel, idle 0 min" in page


def test_a_multi_offer_tells_each_expert_their_rank_and_that_the_first_wins(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now)
    for _ in range(3):
        factories.on_shift_expert(on=queue, now=now, slot=slot)
    inquiry = factories.inquiry(on=queue, now=now - queue.first_response_target("chat") / 2,
                                channel="chat")
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    texts = sorted(offer.why_you for offer in Offer.objects.filter(inquiry=inquiry))

    assert [text.split(":")[0] for text in texts] == [
        "You were ranked 1 of 3 eligible", "You were ranked 2 of 3 eligible",
        "You were ranked 3 of 3 eligible"]
    assert all(text.endswith("3 experts were offered it at once: the first to accept wins.")
               for text in texts)
