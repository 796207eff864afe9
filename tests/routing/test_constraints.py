"""The routing invariants are database constraints: code paths that forget a check still fail."""

from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from marketplace.inquiries.models import Inquiry
from routing.models import Assignment, Offer, OfferStatus
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def test_second_pending_offer_of_an_inquiry_to_the_same_expert_is_refused(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    with pytest.raises(IntegrityError, match="one_pending_offer_per_inquiry_and_expert"), \
            transaction.atomic():
        Offer.objects.create(inquiry=inquiry, expert=expert, created_at=now,
                             expires_at=now + timedelta(seconds=20))

    assert Offer.objects.filter(inquiry=inquiry, status=OfferStatus.PENDING).count() == 1


def test_second_active_assignment_for_an_inquiry_is_refused(now: datetime,
                                                            captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    rival = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    winner = expert if Offer.objects.get().expert_id == expert.pk else rival
    loser = rival if winner == expert else expert
    offers_services.offer_accept(offer_id=offer_id, expert=winner, now=now)
    stray_offer = Offer.objects.create(inquiry=inquiry, expert=loser, created_at=now,
                                       expires_at=now + timedelta(seconds=20))

    with pytest.raises(IntegrityError, match="one_active_assignment_per_inquiry"), \
            transaction.atomic():
        Assignment.objects.create(inquiry=inquiry, expert=loser, offer=stray_offer,
                                  created_at=now)

    assert Assignment.objects.filter(inquiry=inquiry).count() == 1


def test_same_external_id_cannot_be_stored_twice(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    first = factories.inquiry(on=queue, now=now, external_id="dup")

    with pytest.raises(IntegrityError, match="unique_inquiry_external_id_per_brand"), \
            transaction.atomic():
        Inquiry.objects.create(
            brand=first.brand, queue=queue, customer=first.customer, external_id="dup",
            channel="email", subject="again", received_at=now, first_response_due_at=now,
        )

    assert Inquiry.objects.filter(external_id="dup").count() == 1
