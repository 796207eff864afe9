"""Reads about brand API keys, and the login lockouts in force."""


from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.db.models import Max, QuerySet, Sum

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


@dataclass(frozen=True)
class LoginLockout:
    """An account (`kind` "account", `value` the username) or a client address ("address")
    that django-axes refuses to log in until `locked_until`."""

    kind: str
    value: str
    failures: int
    locked_until: datetime


def login_lockout_list(*, now: datetime) -> list[LoginLockout]:
    """The lockouts in force: failed logins within the cool-off, counted per account and per
    address as AXES_LOCKOUT_PARAMETERS does, at or over AXES_FAILURE_LIMIT."""
    cool_off = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off)
    lockouts: list[LoginLockout] = []
    for kind, field in (("account", "username"), ("address", "ip_address")):
        rows = (recent.filter(**{f"{field}__isnull": False}).values(field)
                .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
                .filter(failures__gte=settings.AXES_FAILURE_LIMIT).order_by("-last"))
        lockouts.extend(LoginLockout(kind=kind, value=row[field], failures=row["failures"],
                                     locked_until=row["last"] + cool_off)
                        for row in rows if row[field])
    return lockouts


def brand_has_active_api_key(*, brand: Brand) -> bool:
    return ApiKey.objects.filter(brand=brand, revoked_at__isnull=True).exists()
