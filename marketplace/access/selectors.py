"""Reads about brand API keys."""


from django.db import connection
from django.db.models import QuerySet

from marketplace.access.models import ApiKey
from marketplace.onboarding.models import Brand


def _brand_columns() -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"b.{quote(field.column)} AS {quote('brand__' + field.attname)}"
                     for field in Brand._meta.concrete_fields)


def api_key_with_brand(*, prefix: str) -> ApiKey | None:
    """The key with this visible prefix, its brand loaded in the same query. Every API request
    asks, so this is one `raw()` statement whose rows the ORM turns into the key (the brand from
    the joined columns): compiling the same select_related costs twice as much CPU."""
    quote = connection.ops.quote_name
    keys = ApiKey.objects.raw(
        f"SELECT k.*, {_brand_columns()} FROM {quote(ApiKey._meta.db_table)} k "  # noqa: S608 (model identifiers; values bound)
        f"JOIN {quote(Brand._meta.db_table)} b ON b.id = k.brand_id WHERE k.prefix = %s",
        [prefix])
    for api_key in keys:
        api_key.brand = Brand(**{field.attname: getattr(api_key, f"brand__{field.attname}")
                                 for field in Brand._meta.concrete_fields})
        return api_key
    return None


def api_key_list_for_brand(*, brand: Brand) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(brand=brand).order_by("revoked_at", "-created_at", "-id")
