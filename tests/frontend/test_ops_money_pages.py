"""Ops' money pages: the rate card and the contracts are edited on /ops/pricing/ with a
message beside each refused field and every change kept; the trial balance and each account's
statement read the way a bookkeeper expects."""

from datetime import datetime, timedelta

import pytest
from django.test import Client

from billing.ledger.models import Account, AccountKind
from billing.pricing import services as pricing
from billing.terms.models import BrandContract, PricingChange, RateCard
from tests import factories

pytestmark = pytest.mark.django_db

CARD = {"currency": "EUR", "email_rate": "2.00", "chat_rate": "3.00", "social_rate": "3.00",
        "list_price": "4.50", "after_hours_multiplier": "1.25", "weekend_multiplier": "1.50",
        "holiday_multiplier": "2.00", "surge_multiplier": "1.75", "quality_bonus": "0.50",
        "quality_csat_threshold": "90", "quality_min_reviews": "10"}


def ops_client() -> Client:
    client = Client()
    client.force_login(factories.user(is_staff=True, email="olivia@shiftline.example"))
    return client


def test_the_money_pages_are_for_ops_only() -> None:
    client = Client()
    client.force_login(factories.user())

    for url in ("/ops/pricing/", "/ops/books/"):
        assert client.get(url).status_code == 403
    assert client.post("/ops/pricing/rate-cards/", CARD).status_code == 403
    assert not RateCard.objects.exists()


def test_ops_add_and_change_a_rate_card_and_the_change_is_kept() -> None:
    client = ops_client()

    added = client.post("/ops/pricing/rate-cards/", CARD)
    changed = client.post("/ops/pricing/rate-cards/", {**CARD, "chat_rate": "3.20"},
                          follow=True)

    assert added.status_code == 302
    assert RateCard.objects.get(currency="EUR").chat_rate_minor == 320
    page = changed.content.decode()
    assert 'value="3.20"' in page
    assert "Expert base rate, chat: 3.00 → 3.20" in page
    assert PricingChange.objects.count() == 2
    assert PricingChange.objects.order_by("-id")[0].actor_name == "olivia@shiftline.example"


def test_a_refused_rate_card_shows_the_message_beside_the_field_and_saves_nothing() -> None:
    client = ops_client()
    client.post("/ops/pricing/rate-cards/", CARD)

    refused = client.post("/ops/pricing/rate-cards/", {**CARD, "weekend_multiplier": "0.5",
                                                      "chat_rate": "2.999"})

    page = refused.content.decode()
    assert refused.status_code == 400
    assert "Enter a multiplier from 1.00 to 5.00 with at most two decimals." in page
    assert "EUR amounts have at most 2 decimal places." in page
    assert 'value="2.999"' in page
    assert RateCard.objects.get().chat_rate_minor == 300


def test_ops_give_a_brand_a_contract_and_change_it() -> None:
    brand = factories.brand()
    client = ops_client()

    created = client.post("/ops/pricing/contracts/", {
        "brand_id": brand.pk, "currency": "EUR", "email_price": "3.50", "chat_price": "4.50",
        "social_price": "4.00", "escalation_fee": "2.00",
        "escalation_expert_share_percent": "40"})
    contract = BrandContract.objects.get(brand_id=brand.pk)
    changed = client.post(f"/ops/pricing/contracts/{contract.pk}/save/", {
        "email_price": "3.50", "chat_price": "5.00", "social_price": "4.00",
        "price_rises_with_tier": "on", "escalation_fee": "2.00",
        "escalation_expert_share_percent": "40"}, follow=True)

    assert created.status_code == 302
    contract.refresh_from_db()
    assert (contract.chat_price_minor, contract.price_rises_with_tier,
            contract.escalation_fee_minor, contract.brand_name) == (500, True, 200, brand.name)
    assert "Price per resolved chat: 4.50 → 5.00" in changed.content.decode()


def test_a_contract_needs_a_brand_and_a_fee_needs_a_share() -> None:
    client = ops_client()

    no_brand = client.post("/ops/pricing/contracts/", {
        "brand_id": "", "currency": "EUR", "email_price": "1", "chat_price": "1",
        "social_price": "1"})
    no_share = client.post("/ops/pricing/contracts/", {
        "brand_id": factories.brand().pk, "currency": "EUR", "email_price": "1",
        "chat_price": "1", "social_price": "1", "escalation_fee": "2.00"})

    assert (no_brand.status_code, no_share.status_code) == (400, 400)
    assert "Choose a brand." in no_brand.content.decode()
    assert "Give the expert&#x27;s share of the escalation fee." in no_share.content.decode()
    assert not BrandContract.objects.exists()


def test_an_unknown_contract_is_a_404() -> None:
    assert ops_client().get("/ops/pricing/contracts/999999/").status_code == 404


def resolve(now: datetime, inquiry_id: int) -> None:
    pricing.ticket_resolution_bill(
        inquiry_id=inquiry_id, brand_id=10, brand_name="Northwind", expert_id=20,
        expert_name="Ada", currency="EUR", channel="chat", tier="standard",
        csat=pricing.ExpertCsat(percent=None, reviews=0), now=now)


def test_the_trial_balance_shows_who_owes_whom_and_that_the_books_balance(
        now: datetime) -> None:
    resolve(now, 1)

    page = ops_client().get("/ops/books/").content.decode()

    assert "€3.00 owed to Ada" in page
    assert "€4.50 owed by Northwind" in page
    assert "€1.50 earned" in page
    assert "-€3.00" not in page and "-EUR" not in page
    assert "<td>€4.50</td>\n            <td>€4.50</td>\n            <td>Yes</td>" in page


def test_a_statement_pages_its_entries_with_a_running_balance(now: datetime) -> None:
    for number in range(52):
        resolve(now + timedelta(minutes=number), 100 + number)
    payable = Account.objects.get(kind=AccountKind.EXPERT_PAYABLE, owner_id=20)
    client = ops_client()

    first = client.get(f"/ops/books/accounts/{payable.pk}/").content.decode()
    second = client.get(f"/ops/books/accounts/{payable.pk}/?page=2").content.decode()

    assert "Balance: <strong id=\"balance\">€156.00 owed to Ada</strong>" in first
    assert "Page 1 of 2" in first
    assert "€150.00 owed to Ada" in first  # after the 50th entry
    assert "€153.00 owed to Ada" in second and "€156.00 owed to Ada" in second
    assert "Ada earns the chat base rate €3.00" in second
    assert client.get("/ops/books/accounts/999999/").status_code == 404


def test_the_ops_console_shows_the_ledger_totals_in_words(now: datetime) -> None:
    resolve(now, 1)

    page = ops_client().get("/ops/").content.decode()

    assert "€3.00 owed to experts" in page
    assert "€4.50 owed by brands" in page
    assert "-€3.00" not in page
