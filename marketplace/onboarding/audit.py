"""Writing the brand audit log (`BrandAuditEvent`): every service that changes a brand's keys,
members, queues, channels or billing details appends one event here, in its own transaction, so
the event exists exactly when the change does.

Who acted is a person (their user or membership), an API key (the brand's system), or nobody:
Shiftline itself (demo data, ops scripts). The label is kept as it read then, so the log stays
readable after an email or a key name changes. Secrets never enter the log: a changed secret is
recorded as changed, never with its value.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from marketplace.onboarding.models import (
    Brand,
    BrandAuditAction,
    BrandAuditEvent,
    BrandMembership,
)


@runtime_checkable
class ApiKeyActor(Protocol):
    """An API key as the audit log names it (marketplace/access/models.py's `ApiKey`; this
    layer sits below access, so it names the shape, not the class)."""

    pk: Any
    name: str
    prefix: str


type AuditActor = User | AnonymousUser | BrandMembership | ApiKeyActor | None


SHIFTLINE = "Shiftline"


SECRET_FIELDS = frozenset({"webhook_secret", "inbound_email_token", "hashed_key", "password",
                           "raw_key", "token", "secret"})


CHANGED_SECRET = "(changed)"  # noqa: S105 (a label for a changed secret, not one)


def _who(actor: AuditActor) -> tuple[User | None, Any, str]:
    """(user, API key, label) of an actor. The API's `request.user` (a client carrying its
    `api_key`, marketplace/access/authentication.py) counts as its key."""
    carried = getattr(actor, "api_key", None)
    if isinstance(actor, BrandMembership):
        actor = actor.user
    elif isinstance(carried, ApiKeyActor):
        actor = carried
    if isinstance(actor, User):
        return actor, None, (actor.email or actor.get_username())[:200]
    if isinstance(actor, ApiKeyActor) and not isinstance(actor, AnonymousUser):
        return None, actor, f"API key {actor.name} ({actor.prefix}…)"[:200]
    return None, None, SHIFTLINE


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: dates and times as ISO text, other objects as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def audit_changes(before: Mapping[str, Any], after: Mapping[str, Any],
                  fields: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """The fields whose value differs between `before` and `after` (all of `fields`, or every
    key of `after`), as {"field": {"before": …, "after": …}}; a secret shows only that it
    changed."""
    changes: dict[str, dict[str, Any]] = {}
    for field in fields if fields is not None else after.keys():
        old, new = _plain(before.get(field)), _plain(after.get(field))
        if old == new:
            continue
        if field in SECRET_FIELDS:
            changes[field] = {"after": CHANGED_SECRET}
        else:
            changes[field] = {"before": old, "after": new}
    return changes


def brand_audit_record(
    *,
    brand: Brand,
    actor: AuditActor,
    action: BrandAuditAction,
    target: str,
    changes: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> BrandAuditEvent:
    """Appends one event. Call it inside the transaction of the change it records. Keys named
    as secrets are stripped of their values here too, whatever the caller passed."""
    user, api_key, label = _who(actor)
    kept = {field: ({"after": CHANGED_SECRET} if field in SECRET_FIELDS else _plain(value))
            for field, value in (changes or {}).items()}
    return BrandAuditEvent.objects.create(
        brand=brand, actor_user=user, actor_api_key_id=api_key.pk if api_key else None,
        actor_label=label,
        action=action, target=target[:300], changes=kept, occurred_at=now or timezone.now(),
    )
