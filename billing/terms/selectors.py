"""Reads of the rate cards and contracts, for ops and for the brand's read-only view."""

from django.db.models import QuerySet

from billing.terms.models import BrandContract, PricingChange, RateCard


def rate_card_list() -> QuerySet[RateCard]:
    return RateCard.objects.order_by("currency")


def rate_card_find(*, currency: str) -> RateCard | None:
    return RateCard.objects.filter(currency=currency).first()


def contract_list() -> QuerySet[BrandContract]:
    return BrandContract.objects.order_by("brand_name", "currency")


def contract_find(*, brand_id: int, currency: str) -> BrandContract | None:
    return BrandContract.objects.filter(brand_id=brand_id, currency=currency).first()


def contract_find_by_id(*, contract_id: int) -> BrandContract | None:
    return BrandContract.objects.filter(pk=contract_id).first()


def contracts_for_brand(*, brand_id: int) -> QuerySet[BrandContract]:
    return BrandContract.objects.filter(brand_id=brand_id).order_by("currency")


def pricing_changes(*, limit: int = 50) -> QuerySet[PricingChange]:
    return PricingChange.objects.order_by("-created_at", "-id")[:limit]
