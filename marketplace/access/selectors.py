"""Reads about brand API keys."""


from django.db.models import QuerySet

from marketplace.access.models import ApiKey
from marketplace.onboarding.models import Brand


def api_key_with_brand(*, prefix: str) -> ApiKey | None:
    """The key with this visible prefix, its brand loaded in the same query."""
    return ApiKey.objects.select_related("brand").filter(prefix=prefix).first()


def api_key_list_for_brand(*, brand: Brand) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(brand=brand).order_by("revoked_at", "-created_at", "-id")
