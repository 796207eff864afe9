"""Reads about brand API keys."""


from django.db.models import QuerySet

from marketplace.access.models import ApiKey
from marketplace.infra import rows
from marketplace.onboarding.models import Brand


def api_key_with_brand(*, prefix: str) -> ApiKey | None:
    """The key with this visible prefix, its brand loaded. Every API request asks, so this is
    one hand-written statement (marketplace/infra/rows.py), not a compiled queryset."""
    row = rows.fetch_one(
        f"SELECT {rows.columns(ApiKey, 'k')}, {rows.columns(Brand, 'b')} "  # noqa: S608 (model identifiers; values bound)
        f"FROM {rows.table(ApiKey)} k JOIN {rows.table(Brand)} b ON b.id = k.brand_id "
        "WHERE k.prefix = %s", [prefix])
    if row is None:
        return None
    api_key = rows.instance(ApiKey, row)
    api_key.brand = rows.instance(Brand, row, rows.width(ApiKey))
    return api_key


def api_key_list_for_brand(*, brand: Brand) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(brand=brand).order_by("revoked_at", "-created_at", "-id")
