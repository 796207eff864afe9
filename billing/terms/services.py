"""Ops set the rate card and the brands' contracts here; pricing reads them. Input arrives as
the strings a form or an API sends; every field is checked, one refused field refuses the
whole change, and a change that changed something is recorded in `PricingChange`."""

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import is_currency
from django.conf import settings
from django.db import IntegrityError, transaction

from billing.money import Money, currency_exponent, round_half_up
from billing.terms.models import BrandContract, PricingChange, RateCard
from marketplace.infra.errors import FieldErrors


@dataclass(frozen=True)
class TermField:
    """One field ops edit: its form name, label, the model field it is stored in, and how
    its input is read (`money`, `multiplier`, `percent`, `count`, `flag`)."""

    name: str
    label: str
    kind: str
    stored_as: str
    optional: bool = False


RATE_CARD_FIELDS: tuple[TermField, ...] = (
    TermField("email_rate", "Expert base rate, email", "money", "email_rate_minor"),
    TermField("chat_rate", "Expert base rate, chat", "money", "chat_rate_minor"),
    TermField("social_rate", "Expert base rate, social", "money", "social_rate_minor"),
    TermField("list_price", "List price per ticket (new contracts start here)", "money",
              "list_price_minor"),
    TermField("after_hours_multiplier", "After-hours multiplier", "multiplier",
              "after_hours_multiplier"),
    TermField("weekend_multiplier", "Weekend multiplier", "multiplier", "weekend_multiplier"),
    TermField("holiday_multiplier", "Public-holiday multiplier", "multiplier",
              "holiday_multiplier"),
    TermField("surge_multiplier", "Surge multiplier", "multiplier", "surge_multiplier"),
    TermField("quality_bonus", "Quality bonus per ticket", "money", "quality_bonus_minor"),
    TermField("quality_csat_threshold", "Quality bonus CSAT threshold (%)", "percent",
              "quality_csat_threshold"),
    TermField("quality_min_reviews", "Reviews needed before a bonus", "count",
              "quality_min_reviews"),
)


CONTRACT_FIELDS: tuple[TermField, ...] = (
    TermField("email_price", "Price per resolved email", "money", "email_price_minor"),
    TermField("chat_price", "Price per resolved chat", "money", "chat_price_minor"),
    TermField("social_price", "Price per resolved social message", "money",
              "social_price_minor"),
    TermField("price_rises_with_tier", "Price rises with the slot's premium tier", "flag",
              "price_rises_with_tier"),
    TermField("escalation_fee", "Confirmed-escalation fee (empty: none)", "money",
              "escalation_fee_minor", optional=True),
    TermField("escalation_expert_share_percent", "Expert's share of the fee (%)", "percent",
              "escalation_expert_share_percent", optional=True),
)


class _Refused(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Refused("Send this as text.")
    return value.strip()


def _read_money(value: Any, currency: str) -> int:
    return Money.parse(_text(value), currency=currency).minor


def _read_multiplier(value: Any, currency: str) -> Decimal:
    text = _text(value)
    try:
        multiplier = Decimal(text)
    except InvalidOperation as error:
        raise _Refused(f"{text[:20]!r} is not a multiplier such as 1.25.") from error
    if not multiplier.is_finite() or not Decimal("1.00") <= multiplier <= Decimal("5.00") \
            or multiplier != multiplier.quantize(Decimal("0.01")):
        raise _Refused("Enter a multiplier from 1.00 to 5.00 with at most two decimals.")
    return multiplier.quantize(Decimal("0.01"))


def _whole(text: str, low: int, high: int, message: str) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise _Refused(message)
    return int(text)


def _read_percent(value: Any, currency: str) -> int:
    return _whole(_text(value), 0, 100, "Enter a whole percent from 0 to 100.")


def _read_count(value: Any, currency: str) -> int:
    return _whole(_text(value), 1, 50, "Enter a whole number from 1 to 50.")


def _read_flag(value: Any, currency: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in ("on", "true", "1", "yes"):
        return True
    if text in ("", "off", "false", "0", "no"):
        return False
    raise _Refused("Choose yes or no.")


READERS: dict[str, Callable[[Any, str], Any]] = {
    "money": _read_money, "multiplier": _read_multiplier, "percent": _read_percent,
    "count": _read_count, "flag": _read_flag,
}


def _parse(fields: tuple[TermField, ...], data: Mapping[str, Any],
           currency: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field in fields:
        raw = data.get(field.name)
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        if blank and field.kind != "flag":
            if field.optional:
                values[field.stored_as] = None
                continue
            errors[field.name] = ["This field is required."]
            continue
        try:
            values[field.stored_as] = READERS[field.kind](raw, currency)
        except ValueError as error:
            errors[field.name] = [str(error)]
    return values, errors


def _check_currency(currency: Any) -> str:
    if not isinstance(currency, str) or not is_currency(currency.strip().upper()):
        raise FieldErrors({"currency": ["Enter an ISO 4217 currency code such as EUR."]})
    return currency.strip().upper()


def term_display(field: TermField, value: Any, currency: str) -> str:
    """A stored value as ops read it and type it back: money as a decimal amount."""
    if value is None:
        return ""
    if field.kind == "money":
        return str(Money(minor=int(value), currency=currency).amount)
    if field.kind == "flag":
        return "yes" if value else "no"
    return str(value)


def _changes(fields: tuple[TermField, ...], before: Any, after: Any,
             currency: str) -> dict[str, dict[str, str]]:
    changed: dict[str, dict[str, str]] = {}
    for field in fields:
        old = None if before is None else getattr(before, field.stored_as)
        new = getattr(after, field.stored_as)
        if old != new:
            changed[field.name] = {"before": term_display(field, old, currency),
                                   "after": term_display(field, new, currency)}
    return changed


def default_minor(major: str, currency: str) -> int:
    """A default amount written in major units ("3.00") in `currency`'s minor units."""
    return round_half_up(Decimal(major).scaleb(currency_exponent(currency)))


def _default_rate_card_fields(currency: str, now: datetime) -> dict[str, Any]:
    defaults = settings.BILLING_DEFAULT_RATE_CARD
    base = default_minor(defaults["base_rate"], currency)
    return {"email_rate_minor": base, "chat_rate_minor": base, "social_rate_minor": base,
            "list_price_minor": default_minor(defaults["list_price"], currency),
            "updated_at": now}


def rate_card_unsaved_default(*, currency: str, now: datetime) -> RateCard:
    """The card `rate_card_get` would create for a currency not priced yet, not saved: what a
    read shows before the first ticket prices it."""
    return RateCard(currency=currency, **_default_rate_card_fields(currency, now))


def rate_card_get(*, currency: str, now: datetime) -> RateCard:
    """The currency's rate card; the first time a currency is priced, one at the defaults of
    settings.BILLING_DEFAULT_RATE_CARD, which ops then adjust."""
    card, _ = RateCard.objects.get_or_create(
        currency=currency, defaults=_default_rate_card_fields(currency, now))
    return card


def contract_get(*, brand_id: int, brand_name: str, currency: str,
                 now: datetime) -> BrandContract:
    """The brand's contract in `currency`; a brand priced for the first time starts at the
    rate card's list price on every channel, without escalation fee, until ops change it."""
    found = BrandContract.objects.filter(brand_id=brand_id, currency=currency).first()
    if found is not None:
        return found
    price = rate_card_get(currency=currency, now=now).list_price_minor
    contract, _ = BrandContract.objects.get_or_create(
        brand_id=brand_id, currency=currency,
        defaults={"brand_name": brand_name, "email_price_minor": price,
                  "chat_price_minor": price, "social_price_minor": price, "updated_at": now})
    return contract


def rate_card_save(*, currency: Any, data: Mapping[str, Any], actor_id: int | None,
                   actor_name: str, now: datetime) -> RateCard:
    """Creates or changes the currency's rate card from the fields of `RATE_CARD_FIELDS`."""
    currency = _check_currency(currency)
    values, errors = _parse(RATE_CARD_FIELDS, data, currency)
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        card = RateCard.objects.select_for_update().filter(currency=currency).first()
        before = copy.copy(card)
        card = card or RateCard(currency=currency)
        for name, value in values.items():
            setattr(card, name, value)
        card.updated_at = now
        card.save()
        if changed := _changes(RATE_CARD_FIELDS, before, card, currency):
            PricingChange.objects.create(
                subject=f"Rate card {currency}", rate_card=card, actor_id=actor_id,
                actor_name=actor_name, changes=changed, created_at=now)
    return card


def contract_save(*, brand_id: int, brand_name: str, currency: Any, data: Mapping[str, Any],
                  actor_id: int | None, actor_name: str, now: datetime) -> BrandContract:
    """Creates or changes the brand's contract in `currency` from `CONTRACT_FIELDS`. An
    escalation fee needs the expert's share, and a share needs a fee."""
    currency = _check_currency(currency)
    values, errors = _parse(CONTRACT_FIELDS, data, currency)
    fee, share = values.get("escalation_fee_minor"), values.get("escalation_expert_share_percent")
    if "escalation_fee" not in errors and "escalation_expert_share_percent" not in errors:
        if fee is not None and share is None:
            errors["escalation_expert_share_percent"] = [
                "Give the expert's share of the escalation fee."]
        if fee is None and share is not None:
            errors["escalation_fee"] = ["Give the fee the expert's share is taken from."]
    if errors:
        raise FieldErrors(errors)
    try:
        with transaction.atomic():
            contract = BrandContract.objects.select_for_update().filter(
                brand_id=brand_id, currency=currency).first()
            before = copy.copy(contract)
            contract = contract or BrandContract(brand_id=brand_id, currency=currency)
            contract.brand_name = brand_name
            for name, value in values.items():
                setattr(contract, name, value)
            contract.updated_at = now
            contract.save()
            if changed := _changes(CONTRACT_FIELDS, before, contract, currency):
                PricingChange.objects.create(
                    subject=f"Contract {brand_name} {currency}", contract=contract,
                    actor_id=actor_id, actor_name=actor_name, changes=changed,
                    created_at=now)
    except IntegrityError as error:
        raise FieldErrors({"currency": ["This brand has a contract in this currency."]}) \
            from error
    return contract
