"""At half its target with nobody accepting, an inquiry shows as at risk to ops and to its
brand only."""

from datetime import datetime

import pytest
from django.test import Client

from routing.offers import services as offers_services
from routing.sweeps import services as sweeps_services
from tests import factories

pytestmark = pytest.mark.django_db

MARK = b'<mark class="at-risk">at risk</mark>'


def page(user: object, path: str) -> bytes:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(path)
    assert response.status_code == 200
    return bytes(response.content)


def test_at_risk_inquiry_is_marked_for_ops_and_the_brand(now: datetime,
                                                         captured_tasks: list) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=now, channel="email", subject="Lost parcel")
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    ops, member = factories.user(is_staff=True), factories.brand_member(of=queue.brand)
    before = (page(ops, "/ops/"), page(member, "/brand/"))

    sweeps_services.deadlines_sweep(now=now + queue.first_response_target("email") / 2)

    assert [MARK in content for content in before] == [False, False]
    assert MARK in page(ops, "/ops/")
    assert MARK in page(member, "/brand/")


def test_other_brands_do_not_see_the_alert(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    factories.inquiry(on=queue, now=now, channel="email", subject="Lost parcel")
    stranger = factories.brand_member(of=factories.queue().brand)

    sweeps_services.deadlines_sweep(now=now + queue.first_response_target("email") / 2)

    assert MARK not in page(stranger, "/brand/")
