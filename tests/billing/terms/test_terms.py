"""Ops set the rate card and the contracts through the terms services: every field checked
with a message for people, one refused field refuses the change, and every change that
changed something is kept, append-only, with who made it."""

from datetime import datetime, timedelta

import pytest
from django.db import DatabaseError, transaction

from billing.terms import services as terms
from billing.terms.models import BrandContract, PricingChange, RateCard
from marketplace.infra.errors import FieldErrors

pytestmark = pytest.mark.django_db

CARD = {"email_rate": "2.00", "chat_rate": "3.00", "social_rate": "3.00", "list_price": "4.50",
        "after_hours_multiplier": "1.25", "weekend_multiplier": "1.50",
        "holiday_multiplier": "2.00", "surge_multiplier": "1.75", "quality_bonus": "0.50",
        "quality_csat_threshold": "90", "quality_min_reviews": "10"}
CONTRACT = {"email_price": "3.50", "chat_price": "4.50", "social_price": "4.50"}


def save_card(now: datetime, **changes: str) -> RateCard:
    return terms.rate_card_save(currency="EUR", data={**CARD, **changes}, actor_id=3,
                                actor_name="Olivia", now=now)


def save_contract(now: datetime, **changes: str) -> BrandContract:
    return terms.contract_save(brand_id=10, brand_name="Northwind", currency="EUR",
                               data={**CONTRACT, **changes}, actor_id=3, actor_name="Olivia",
                               now=now)


def test_a_new_rate_card_is_stored_in_minor_units_and_audited(now: datetime) -> None:
    card = save_card(now)

    assert (card.chat_rate_minor, card.email_rate_minor, card.quality_bonus_minor,
            str(card.weekend_multiplier), card.quality_csat_threshold) == (
        300, 200, 50, "1.50", 90)
    change = PricingChange.objects.get()
    assert (change.subject, change.actor_name, change.rate_card_id) == (
        "Rate card EUR", "Olivia", card.pk)
    assert change.changes["chat_rate"] == {"before": "", "after": "3.00"}


def test_a_change_records_only_what_changed_and_saving_the_same_records_nothing(
        now: datetime) -> None:
    save_card(now)
    save_card(now + timedelta(minutes=1), chat_rate="3.20", weekend_multiplier="1.6")
    save_card(now + timedelta(minutes=2), chat_rate="3.20", weekend_multiplier="1.60")

    latest = PricingChange.objects.order_by("-id").first()
    assert PricingChange.objects.count() == 2
    assert latest is not None and latest.changes == {
        "chat_rate": {"before": "3.00", "after": "3.20"},
        "weekend_multiplier": {"before": "1.50", "after": "1.60"}}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("chat_rate", "-1", "Enter an amount of zero or more, such as 4.50."),
    ("chat_rate", "3.005", "EUR amounts have at most 2 decimal places."),
    ("chat_rate", "", "This field is required."),
    ("weekend_multiplier", "0.90", "Enter a multiplier from 1.00 to 5.00 with at most two "
     "decimals."),
    ("surge_multiplier", "1.255", "Enter a multiplier from 1.00 to 5.00 with at most two "
     "decimals."),
    ("holiday_multiplier", "lots", "'lots' is not a multiplier such as 1.25."),
    ("quality_csat_threshold", "101", "Enter a whole percent from 0 to 100."),
    ("quality_min_reviews", "0", "Enter a whole number from 1 to 50."),
])
def test_each_bad_field_is_refused_with_its_message_and_nothing_is_saved(
        now: datetime, field: str, value: str, message: str) -> None:
    with pytest.raises(FieldErrors) as refused:
        save_card(now, **{field: value})

    assert refused.value.errors == {field: [message]}
    assert not RateCard.objects.exists()
    assert not PricingChange.objects.exists()


def test_a_currency_that_is_not_iso_4217_is_refused(now: datetime) -> None:
    with pytest.raises(FieldErrors) as refused:
        terms.rate_card_save(currency="EURO", data=CARD, actor_id=None, actor_name="x",
                             now=now)

    assert refused.value.errors == {"currency": ["Enter an ISO 4217 currency code such as EUR."]}


def test_a_contract_with_an_escalation_fee_needs_the_experts_share(now: datetime) -> None:
    with pytest.raises(FieldErrors) as no_share:
        save_contract(now, escalation_fee="2.00")
    with pytest.raises(FieldErrors) as no_fee:
        save_contract(now, escalation_expert_share_percent="40")
    contract = save_contract(now, escalation_fee="2.00", escalation_expert_share_percent="40",
                             price_rises_with_tier="on")

    assert no_share.value.errors == {
        "escalation_expert_share_percent": ["Give the expert's share of the escalation fee."]}
    assert no_fee.value.errors == {
        "escalation_fee": ["Give the fee the expert's share is taken from."]}
    assert (contract.escalation_fee_minor, contract.escalation_expert_share_percent,
            contract.price_rises_with_tier, contract.chat_price_minor) == (200, 40, True, 450)
    assert PricingChange.objects.get().subject == "Contract Northwind EUR"


def test_clearing_the_fee_and_share_ends_escalation_billing(now: datetime) -> None:
    save_contract(now, escalation_fee="2.00", escalation_expert_share_percent="40")

    contract = save_contract(now, escalation_fee="", escalation_expert_share_percent="")

    assert (contract.escalation_fee_minor, contract.escalation_expert_share_percent) == (
        None, None)


def test_the_pricing_audit_is_append_only(now: datetime) -> None:
    save_card(now)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PricingChange.objects.update(actor_name="someone else")


def test_a_brand_priced_for_the_first_time_starts_at_the_list_price(now: datetime) -> None:
    save_card(now, list_price="5.00")

    contract = terms.contract_get(brand_id=12, brand_name="Contoso", currency="EUR", now=now)

    assert (contract.email_price_minor, contract.chat_price_minor,
            contract.escalation_fee_minor) == (500, 500, None)
