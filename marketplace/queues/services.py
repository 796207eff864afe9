"""Queue configuration, backlog reports and macros: one set of writes for the console and
the REST API."""



import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from marketplace.infra import outbound
from marketplace.infra.errors import (
    DomainError,
    FieldConflict,
    FieldErrors,
    FieldRuleViolations,
    NotFound,
)
from marketplace.infra.origins import normalise_origin
from marketplace.onboarding.audit import AuditActor, audit_changes, brand_audit_record
from marketplace.onboarding.models import Brand, BrandAuditAction, BrandMembership
from marketplace.onboarding.policy import require_brand_can_configure
from marketplace.queues.fields import (
    QUEUE_SETTINGS,
    REQUIRED_ON_CREATE,
    SettingKind,
    parse_queue_changes,
    queue_setting_values,
)
from marketplace.queues.models import WIDGET_FIELDS, BusinessHoursSpan, OverflowQueue, QueueMacro

MACRO_PLACEHOLDERS = {
    "customer_first_name": "The customer's first name",
    "customer_name": "The customer's full name",
    "brand_name": "The brand's name",
    "expert_first_name": "The expert's first name",
    "queue_name": "The queue's name",
}


PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _cross_field_errors(queue: OverflowQueue, values: dict[str, Any]) -> dict[str, list[str]]:
    """Rules that join fields, checked on the queue as it would be after the change."""
    errors: dict[str, list[str]] = {}

    def after(field: str) -> Any:
        return values.get(field, getattr(queue, field, None))

    if after("covers_overflow") and after("overflow_backlog_threshold") is None \
            and after("overflow_wait_threshold_seconds") is None:
        errors["covers_overflow"] = ["Overflow coverage needs a backlog or an oldest-wait "
                                     "threshold."]
    if after("covers_holidays") and not after("holiday_country"):
        errors["holiday_country"] = ["Choose the country whose public holidays are covered."]
    return errors


def _apply(queue: OverflowQueue, values: dict[str, Any]) -> OverflowQueue:
    """Writes parsed values; caller holds the transaction. Business hours and closures, when
    given, replace the old ones entirely."""
    spans = values.pop("business_hours", None)
    if values.pop("open_24_7", False):
        spans = [BusinessHoursSpan(weekday=day, opens_at=time(0), closes_at=time(0))
                 for day in range(7)]
    elif spans is not None:
        spans = [BusinessHoursSpan(weekday=span.weekday, opens_at=span.opens,
                                   closes_at=span.closes) for span in spans]
    closures = values.pop("closures", None)
    if closures is not None:
        values["closures"] = [
            {"starts_on": closure.starts_on.isoformat(), "ends_on": closure.ends_on.isoformat(),
             "label": closure.label}
            for closure in sorted(closures, key=lambda closure: (closure.starts_on,
                                                                  closure.ends_on))
        ]
    for field, value in values.items():
        setattr(queue, field, value)
    try:
        with transaction.atomic():
            queue.save()
    except IntegrityError as error:
        raise FieldConflict({"name": ["The brand already has a queue with this name."]}) \
            from error
    if spans is not None:
        queue.spans.all().delete()
        for span in spans:
            span.queue = queue
        BusinessHoursSpan.objects.bulk_create(spans)
    return queue


def _setting_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The settings that changed, for the audit log: long texts only say that they changed."""
    changes = audit_changes(before, after)
    for setting in QUEUE_SETTINGS:
        if setting.kind is SettingKind.LONG_TEXT and setting.name in changes:
            changes[setting.name] = {"after": "(changed)"}
    return changes


def _queue_target(queue: OverflowQueue) -> str:
    return f"Queue {queue.name} (#{queue.pk})"


def queue_create(*, brand: Brand, data: Mapping[str, Any],
                 actor: AuditActor = None) -> OverflowQueue:
    """`actor` is who the audit log names: a member, an API key, or (None) Shiftline."""
    missing = {field: ["This field is required."] for field in REQUIRED_ON_CREATE
               if field not in data}
    values, errors = parse_queue_changes(data)
    queue = OverflowQueue(brand=brand)
    errors = missing | errors
    if not errors:
        errors = _cross_field_errors(queue, values)
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        _apply(queue, values)
        brand_audit_record(brand=brand, actor=actor, action=BrandAuditAction.QUEUE_CREATED,
                           target=_queue_target(queue),
                           changes=_setting_changes({}, queue_setting_values(queue=queue)))
        return queue


def queue_configure(*, queue: OverflowQueue, changes: Mapping[str, Any],
                    actor: AuditActor = None) -> OverflowQueue:
    """Changes any subset of the queue's settings. Every field is checked first; one refused
    field refuses the whole change and nothing is saved. The caller has checked who may: the
    console the brand role, the API the key's `queues:manage` scope. A change that changed
    something is in the brand's audit log, by `actor` (None: Shiftline)."""
    values, errors = parse_queue_changes(changes)
    if not errors:
        errors = _cross_field_errors(queue, values)
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        locked = OverflowQueue.objects.select_for_update().get(pk=queue.pk)
        before = queue_setting_values(queue=locked)
        _apply(locked, values)
        if changed := _setting_changes(before, queue_setting_values(queue=locked)):
            brand_audit_record(brand=locked.brand, actor=actor, changes=changed,
                               action=BrandAuditAction.QUEUE_SETTINGS_CHANGED,
                               target=_queue_target(locked))
    queue.refresh_from_db()
    return queue


def queue_report_backlog(
    *, queue: OverflowQueue, backlog: int, oldest_wait_seconds: int, now: datetime
) -> OverflowQueue:
    """Stores the brand's latest report of its own backlog; only the latest counts."""
    errors: dict[str, list[str]] = {}
    if isinstance(backlog, bool) or not isinstance(backlog, int) or not 0 <= backlog <= 10**6:
        errors["backlog"] = ["Enter the number of inquiries waiting, 0 to 1,000,000."]
    if isinstance(oldest_wait_seconds, bool) or not isinstance(oldest_wait_seconds, int) \
            or not 0 <= oldest_wait_seconds <= 365 * 24 * 3600:
        errors["oldest_wait_seconds"] = ["Enter the oldest wait in seconds, 0 to a year."]
    if errors:
        raise FieldErrors(errors)
    OverflowQueue.objects.filter(pk=queue.pk).update(
        backlog_count=backlog, backlog_oldest_wait_seconds=oldest_wait_seconds,
        backlog_reported_at=now,
    )
    queue.refresh_from_db()
    return queue


def macro_placeholders_unknown(body: str) -> list[str]:
    return [name for name in PLACEHOLDER.findall(body) if name not in MACRO_PLACEHOLDERS]


def _check_macro(name: str, body: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    name, body = name.strip(), body.strip()
    if not name or len(name) > 100 or "\x00" in name:
        errors["name"] = ["Give the macro a name of 1 to 100 characters."]
    if not body or len(body) > 10_000 or "\x00" in body:
        errors["body"] = ["Write the reply, up to 10,000 characters."]
    if errors:
        raise FieldErrors(errors)
    unknown = macro_placeholders_unknown(body)
    if unknown:
        known = ", ".join(f"{{{placeholder}}}" for placeholder in MACRO_PLACEHOLDERS)
        raise FieldRuleViolations(
            {"body": [f"Unknown placeholder {{{unknown[0][:40]}}}; use {known}."]})
    return name, body


def macro_save(
    *, queue: OverflowQueue, name: str, body: str, now: datetime, macro_id: int | None = None,
    actor: AuditActor = None,
) -> QueueMacro:
    """Creates a macro, or changes the queue's macro `macro_id`; `actor` for the audit log."""
    name, body = _check_macro(name, body)
    try:
        with transaction.atomic():
            if macro_id is None:
                macro = QueueMacro.objects.create(queue=queue, name=name, body=body,
                                                  updated_at=now)
                action, changes = BrandAuditAction.MACRO_CREATED, {"name": {"after": name}}
            else:
                found = QueueMacro.objects.select_for_update().filter(queue=queue,
                                                                      pk=macro_id).first()
                if found is None:
                    raise NotFound("No such macro on this queue.")
                macro, action = found, BrandAuditAction.MACRO_CHANGED
                changes = audit_changes({"name": macro.name}, {"name": name})
                if body != macro.body:
                    changes["body"] = {"after": "(changed)"}
                macro.name, macro.body, macro.updated_at = name, body, now
                macro.save(update_fields=["name", "body", "updated_at"])
            brand_audit_record(brand=queue.brand, actor=actor, action=action, changes=changes,
                               target=f"Macro {name} on {_queue_target(queue)}", now=now)
            return macro
    except IntegrityError as error:
        raise FieldConflict({"name": ["This queue already has a macro with this name."]}) \
            from error


def macro_delete(*, queue: OverflowQueue, macro_id: int, actor: AuditActor = None) -> None:
    with transaction.atomic():
        macro = QueueMacro.objects.select_for_update().filter(queue=queue, pk=macro_id).first()
        if macro is None:
            raise NotFound("No such macro on this queue.")
        macro.delete()
        brand_audit_record(brand=queue.brand, actor=actor, action=BrandAuditAction.MACRO_DELETED,
                           target=f"Macro {macro.name} on {_queue_target(queue)}")


@dataclass(frozen=True)
class MacroContext:
    customer_name: str
    brand_name: str
    expert_name: str
    queue_name: str = ""


def _first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else ""


def macro_render(*, body: str, context: MacroContext) -> str:
    """Fills a macro's placeholders for one conversation. Only known placeholders are
    replaced; the text is plain (the workspace escapes it when shown)."""
    values = {
        "customer_first_name": _first_name(context.customer_name) or "there",
        "customer_name": context.customer_name or "there",
        "brand_name": context.brand_name,
        "expert_first_name": _first_name(context.expert_name),
        "queue_name": context.queue_name,
    }
    return PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), body)


CHANNEL_SETTINGS = "can change channel settings"


def _url_for_log(url: str) -> str:
    """Scheme and host only: a webhook URL's path or query often carries a token."""
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…"


def queue_rotate_webhook_secret(*, queue: OverflowQueue, membership: BrandMembership) -> str:
    """A new signing secret; the old one stops working at once, in both directions."""
    require_brand_can_configure(membership, queue.brand, action=CHANNEL_SETTINGS)
    with transaction.atomic():
        queue.webhook_secret = secrets.token_urlsafe(32)
        queue.save(update_fields=["webhook_secret"])
        brand_audit_record(brand=queue.brand, actor=membership, target=_queue_target(queue),
                           action=BrandAuditAction.WEBHOOK_SECRET_ROTATED)
    return queue.webhook_secret


def queue_rotate_inbound_email_token(*, queue: OverflowQueue,
                                     membership: BrandMembership) -> str:
    require_brand_can_configure(membership, queue.brand, action=CHANNEL_SETTINGS)
    with transaction.atomic():
        queue.inbound_email_token = secrets.token_urlsafe(32)
        queue.save(update_fields=["inbound_email_token"])
        brand_audit_record(brand=queue.brand, actor=membership, target=_queue_target(queue),
                           action=BrandAuditAction.INBOUND_ADDRESS_ROTATED)
    return queue.inbound_email_token


def queue_set_outbound_webhook(*, queue: OverflowQueue, membership: BrandMembership,
                               url: str) -> OverflowQueue:
    """An https (or http) URL where replies are POSTed, or empty to answer by email only. A
    URL that points into a private network is refused (marketplace/infra/outbound.py)."""
    require_brand_can_configure(membership, queue.brand, action=CHANNEL_SETTINGS)
    url = url.strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as error:
            raise DomainError("Enter a full http:// or https:// URL.",
                              code="invalid_url") from error
        if len(url) > 500:
            raise DomainError("The URL is longer than 500 characters.", code="invalid_url")
        try:
            outbound.vetted_addresses(url)
        except outbound.UnsafeDestination as error:
            raise DomainError(str(error), code="unsafe_url") from error
    changes = audit_changes({"outbound_webhook_url": _url_for_log(queue.outbound_webhook_url)},
                            {"outbound_webhook_url": _url_for_log(url)})
    with transaction.atomic():
        queue.outbound_webhook_url = url
        queue.save(update_fields=["outbound_webhook_url"])
        brand_audit_record(brand=queue.brand, actor=membership, target=_queue_target(queue),
                           action=BrandAuditAction.OUTBOUND_WEBHOOK_CHANGED, changes=changes)
    return queue


WIDGET_ORIGINS_MAX = 20


def queue_set_widget(*, queue: OverflowQueue, membership: BrandMembership,
                     allowed_origins: list[str], required_fields: list[str],
                     long_wait_seconds: Any) -> OverflowQueue:
    """The chat widget's settings: the sites that may embed it (normalised, duplicates
    dropped; none refuses the widget everywhere), what the pre-chat form requires besides the
    first message, and the promised wait above which the widget offers email instead.
    Every refused field gets its message and nothing is saved unless all are valid."""
    require_brand_can_configure(membership, queue.brand, action=CHANNEL_SETTINGS)
    errors: dict[str, list[str]] = {}
    origins: list[str] = []
    for text in allowed_origins:
        if not text.strip():
            continue
        try:
            origin = normalise_origin(text)
        except ValueError as error:
            errors.setdefault("allowed_origins", []).append(str(error))
            continue
        if origin not in origins:
            origins.append(origin)
    if len(origins) > WIDGET_ORIGINS_MAX:
        errors.setdefault("allowed_origins", []).append(
            f"At most {WIDGET_ORIGINS_MAX} sites.")
    unknown = sorted(set(required_fields) - set(WIDGET_FIELDS))
    if unknown:
        errors["required_fields"] = [f"Unknown field: {', '.join(unknown)}. Choose from "
                                     f"{', '.join(WIDGET_FIELDS)}."]
    try:
        seconds = int(str(long_wait_seconds).strip())
    except ValueError:
        seconds = 0
    if not 10 <= seconds <= 24 * 3600:
        errors["long_wait_seconds"] = ["Enter a whole number of seconds from 10 to 86400."]
    if errors:
        raise FieldErrors(errors)
    fields = [field for field in WIDGET_FIELDS if field in required_fields]
    before = {"widget_allowed_origins": queue.widget_allowed_origins,
              "widget_required_fields": queue.widget_required_fields,
              "widget_long_wait_seconds": queue.widget_long_wait_seconds}
    after = {"widget_allowed_origins": origins, "widget_required_fields": fields,
             "widget_long_wait_seconds": seconds}
    with transaction.atomic():
        for name, value in after.items():
            setattr(queue, name, value)
        queue.save(update_fields=list(after))
        brand_audit_record(brand=queue.brand, actor=membership, target=_queue_target(queue),
                           action=BrandAuditAction.WIDGET_CHANGED,
                           changes=audit_changes(before, after))
    return queue
