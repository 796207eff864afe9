"""Brand API keys: created with a name and scopes, shown once, stored as a SHA-256 digest with a
visible prefix; revoked at once; rotated under the same name and scopes. A key speaks for the
whole brand within its scopes, so only people who may configure the brand create, revoke or
rotate one.

People's logins: ops lift a lockout; a changed password closes the user's live sockets."""


import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from axes.utils import reset as axes_reset
from django.contrib.auth.models import User
from django.db import transaction

from marketplace.access.models import ApiKey
from marketplace.access.scopes import (
    ALL_SCOPES,
    DEFAULT_SCOPES,
    scopes_in_order,
    scopes_unknown,
)
from marketplace.access.selectors import api_key_with_brand
from marketplace.infra.errors import Conflict, DomainError, PermissionDenied
from marketplace.infra.push import push_session_ended_on_commit
from marketplace.onboarding.audit import brand_audit_record
from marketplace.onboarding.models import Brand, BrandAuditAction
from marketplace.onboarding.policy import Actor, require_brand_can_configure

logger = logging.getLogger(__name__)

API_KEY_PREFIX_LENGTH = 8


API_KEY_LAST_USED_RESOLUTION = timedelta(minutes=1)


API_KEY_NAME_MAX_LENGTH = 100


def _hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _split_api_key(raw_key: str) -> tuple[str, str] | None:
    parts = raw_key.split("_", 2)
    if len(parts) != 3 or parts[0] != "sl" or len(parts[1]) != API_KEY_PREFIX_LENGTH:
        return None
    return parts[1], parts[2]


API_KEYS = "can manage API keys"


def _checked_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(scopes)
    unknown = scopes_unknown(scopes)
    if unknown:
        named = ", ".join(scope[:40] for scope in unknown)
        raise DomainError(f"Unknown scope {named}; choose among {', '.join(ALL_SCOPES)}.",
                          code="invalid_scopes")
    if not scopes:
        raise DomainError("Choose at least one scope: a key without one can call nothing.",
                          code="invalid_scopes")
    return scopes_in_order(scopes)


def api_key_create(
    *, brand: Brand, actor: Actor, name: str, raw_key: str | None = None,
    scopes: Iterable[str] | None = None,
) -> tuple[ApiKey, str]:
    """Creates a key and returns it with the raw secret, which is never stored and shown once.
    `scopes` default to reading and writing inquiries (DEFAULT_SCOPES); unknown or no scopes
    are refused. `raw_key` lets demo data use a known key; it must have the
    `sl_<8 chars>_<secret>` shape."""
    require_brand_can_configure(actor, brand, action=API_KEYS)
    name = name.strip()
    if not name or len(name) > API_KEY_NAME_MAX_LENGTH or "\x00" in name:
        raise DomainError(f"Give the key a name of 1 to {API_KEY_NAME_MAX_LENGTH} characters.",
                          code="invalid_name")
    checked_scopes = _checked_scopes(DEFAULT_SCOPES if scopes is None else scopes)
    if raw_key is None:
        raw_key = f"sl_{secrets.token_hex(API_KEY_PREFIX_LENGTH // 2)}_{secrets.token_urlsafe(32)}"
    split = _split_api_key(raw_key)
    if split is None:
        raise ValueError("an API key looks like sl_<8 characters>_<secret>")
    api_key = ApiKey.objects.create(
        brand=brand, name=name, prefix=split[0], hashed_key=_hash_api_key(raw_key),
        scopes=checked_scopes,
    )
    brand_audit_record(brand=brand, actor=actor, action=BrandAuditAction.KEY_CREATED,
                       target=f"API key {api_key}", changes={"name": {"after": name}})
    return api_key, raw_key


def api_key_authenticate(*, raw_key: str, now: datetime) -> ApiKey | None:
    """The active key matching `raw_key`, or None. Compares digests in constant time and records
    the last use at most once a minute, so authentication does not write on every request."""
    split = _split_api_key(raw_key)
    if split is None:
        return None
    api_key = api_key_with_brand(prefix=split[0])
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, _hash_api_key(raw_key)):
        return None
    if api_key.revoked_at is not None:
        return None
    last_used = api_key.last_used_at
    if last_used is None or now - last_used >= API_KEY_LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def api_key_revoke(*, api_key: ApiKey, actor: Actor, now: datetime) -> ApiKey:
    """Refused from the next request on; revoking twice keeps the first time."""
    require_brand_can_configure(actor, api_key.brand, action=API_KEYS)
    if ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now):
        brand_audit_record(brand=api_key.brand, actor=actor, action=BrandAuditAction.KEY_REVOKED,
                           target=f"API key {api_key}", now=now)
    api_key.refresh_from_db()
    return api_key


def api_key_rotate(*, api_key: ApiKey, actor: Actor, now: datetime) -> tuple[ApiKey, str]:
    """Revokes the key and creates its successor under the same name and with the same scopes;
    the new raw key is returned once. Rotating an already revoked key is refused, so a key
    rotates only once."""
    require_brand_can_configure(actor, api_key.brand, action=API_KEYS)
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if locked.revoked_at is not None:
            raise Conflict(f"The key {locked.name!r} is already revoked; create a new one.")
        locked.revoked_at = now
        locked.save(update_fields=["revoked_at"])
        brand_audit_record(brand=locked.brand, actor=actor, action=BrandAuditAction.KEY_ROTATED,
                           target=f"API key {locked}", now=now)
        return api_key_create(brand=locked.brand, actor=actor, name=locked.name,
                              scopes=locked.scopes)


def login_lockout_lift(*, kind: str, value: str, lifted_by: User | None) -> int:
    """Lets a locked-out account ("account", its username) or client address ("address") log
    in again at once, by forgetting its failed logins (django-axes' public reset). Only ops
    staff lift a lockout by hand; `lifted_by` None is Shiftline itself. Returns how many
    attempt records were removed; 0 when there was no lockout."""
    if lifted_by is not None and not lifted_by.is_staff:
        raise PermissionDenied("Only Shiftline's ops staff lift login lockouts.")
    if kind == "account":
        removed = axes_reset(username=value)
    elif kind == "address":
        removed = axes_reset(ip=value)
    else:
        raise DomainError(f"Unknown lockout kind {kind!r}: account or address.", code="invalid")
    logger.info("Login lockout of %s %s lifted by %s (%d attempt records)", kind, value,
                lifted_by.get_username() if lifted_by is not None else "Shiftline", removed)
    return removed


def account_password_changed(*, user: User) -> None:
    """After a password change or reset: every other session already ended (the session hash
    changed with the password), so the user's open sockets close too, and a lockout of the
    account is lifted (whoever set the password proved they own it)."""
    push_session_ended_on_commit(user_id=user.pk, reason="password_changed")
    login_lockout_lift(kind="account", value=user.get_username().strip().lower(),
                       lifted_by=None)
