"""Pages show money through one template filter: a yen amount has no decimals, a euro amount
its symbol, a dinar amount three places."""

from datetime import timedelta

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.utils import timezone, translation

from billing.money import Money
from marketplace.queues import services as queues_services
from routing.assignments import services as assignments_services
from tests import factories


@pytest.mark.parametrize(("minor", "currency", "shown"), [
    (450, "JPY", "¥450"),
    (450, "EUR", "€4.50"),
    (1250, "KWD", "KWD\u00a01.250"),
    (-300, "EUR", "-€3.00"),
])
def test_the_filter_shows_minor_units_with_their_currency(
    minor: int, currency: str, shown: str
) -> None:
    template = Template("{% load money %}{{ amount|money:currency }}|{{ value|money }}")

    rendered = template.render(Context({"amount": minor, "currency": currency,
                                        "value": Money(minor=minor, currency=currency)}))

    assert rendered == f"{shown}|{shown}"


def test_the_filter_follows_the_active_language() -> None:
    template = Template("{% load money %}{{ amount|money:'EUR' }}")

    with translation.override("de"):
        rendered = template.render(Context({"amount": 450}))

    assert rendered == "4,50\u00a0€"


def test_minor_units_without_a_currency_are_a_template_error() -> None:
    template = Template("{% load money %}{{ amount|money }}")

    with pytest.raises(TemplateSyntaxError, match="money needs a currency"):
        template.render(Context({"amount": 450}))


@pytest.mark.django_db
def test_450_yen_earned_shows_as_yen_450_on_the_experts_earnings_page(
    captured_tasks: list,
) -> None:
    now = timezone.now()
    queue = queues_services.queue_configure(queue=factories.queue(), changes={"currency": "JPY"})
    factories.pricing(brand_=queue.brand, price_minor=600, rate_minor=450, currency="JPY")
    reply, expert = factories.expert_reply(on=queue, now=now)
    assignments_services.assignment_resolve(inquiry_id=reply.inquiry_id, expert=expert,
                                            now=now + timedelta(minutes=5))
    client = Client()
    client.force_login(expert.user)

    workspace = client.get("/expert/").content.decode()
    page = client.get("/expert/earnings/").content.decode()

    assert '<strong data-currency="JPY" data-minor="450">¥450</strong>' in workspace
    assert "JPY 4.50" not in workspace
    assert '<td data-label="Base rate">¥450</td>' in page
    assert "JPY 4.50" not in page
