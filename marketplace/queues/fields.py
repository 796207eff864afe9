"""The queue's settings, each declared once: its name, its label for people, its kind, its
parser and its help text. Everything else is built from `QUEUE_SETTINGS`: the REST API's input
and output serializers (marketplace/queues/api.py), `parse_queue_changes` behind the queue
services, and the console's settings form (frontend/views/brand_queues.py). Adding a setting
here adds it to all three.

The console form and the REST API hand the same mapping to `parse_queue_changes`; every
refused field gets its own message and nothing is saved unless every field is valid.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypedDict, Unpack

from billing.money import Money
from billing.terms import selectors as terms_selectors
from marketplace.queues.models import OverflowQueue, SurveyDelivery
from marketplace.queues.parsers import (
    CHANNELS,
    GUIDELINES_MAX_LENGTH,
    TIME_ZONE_MAX_LENGTH,
    WEEKDAYS,
    FieldError,
    integer_parser,
    parse_boolean,
    parse_business_hours,
    parse_channels,
    parse_closures,
    parse_currency,
    parse_holiday_country,
    parse_languages,
    parse_skills,
    parse_survey_delivery,
    parse_time_zone,
    parse_webhook_events,
    text_parser,
)

__all__ = ["CHANNELS", "QUEUE_SETTINGS", "REQUIRED_ON_CREATE", "WEEKDAYS", "QueueSetting",
           "SettingKind", "as_form_value", "parse_queue_changes", "queue_setting_values"]


class SettingKind(StrEnum):
    """What a setting holds, which decides its API type and its form input."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHANNELS = "channels"
    TEXT_LIST = "text_list"
    SPANS = "spans"
    CLOSURES = "closures"
    PRICES = "prices"


@dataclass(frozen=True, kw_only=True)
class QueueSetting:
    """One setting of an overflow queue.

    `parse` reads the input of the console or the API into the stored value, raising
    `FieldError`; a `read_only` setting (the prices Shiftline sets) has none and is refused
    as input. `group` is the part of the settings it belongs with (the console shows a group
    together); `choices`, (value, label) pairs, make a text setting a pick from a list. The
    limits document the input in the API and the form; `parse` enforces them."""

    name: str
    label: str
    kind: SettingKind
    help_text: str
    group: str
    parse: Callable[[Any], Any] | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    nullable: bool = False
    allows_blank: bool = True
    required_on_create: bool = False
    write_only: bool = False
    read_only: bool = False
    example: str = ""
    choices: tuple[tuple[str, str], ...] = ()


class _Declared(TypedDict, total=False):
    required_on_create: bool
    write_only: bool
    example: str


def _text(name: str, label: str, *, max_length: int, help_text: str, group: str,
          allows_blank: bool = True, **declared: Unpack[_Declared]) -> QueueSetting:
    """Plain text, its parser built from its limits."""
    return QueueSetting(name=name, label=label, kind=SettingKind.TEXT, help_text=help_text,
                        group=group, max_length=max_length, allows_blank=allows_blank,
                        parse=text_parser(max_length, required=not allows_blank), **declared)


def _integer(name: str, label: str, *, minimum: int, maximum: int, help_text: str, group: str,
             nullable: bool = False, **declared: Unpack[_Declared]) -> QueueSetting:
    """A whole number, its parser built from its limits."""
    return QueueSetting(name=name, label=label, kind=SettingKind.INTEGER, help_text=help_text,
                        group=group, minimum=minimum, maximum=maximum, nullable=nullable,
                        parse=integer_parser(minimum, maximum, nullable=nullable), **declared)


def _boolean(name: str, label: str, *, help_text: str, group: str,
             **declared: Unpack[_Declared]) -> QueueSetting:
    return QueueSetting(name=name, label=label, kind=SettingKind.BOOLEAN, help_text=help_text,
                        group=group, parse=parse_boolean, **declared)


SECONDS_IN_WEEK = 7 * 24 * 3600


QUEUE_SETTINGS: tuple[QueueSetting, ...] = (
    _text("name", "Name", max_length=100, allows_blank=False, required_on_create=True,
          group="queue", help_text="Unique among the brand's queues."),
    QueueSetting(name="channels", label="Channels served", kind=SettingKind.CHANNELS,
                 parse=parse_channels, group="channels",
                 help_text="The channels the network answers on this queue."),
    QueueSetting(name="time_zone", label="Time zone", kind=SettingKind.TEXT,
                 parse=parse_time_zone, max_length=TIME_ZONE_MAX_LENGTH, allows_blank=False,
                 required_on_create=True, group="queue",
                 help_text="IANA zone such as Europe/Dublin"),
    QueueSetting(name="business_hours", label="Business hours", kind=SettingKind.SPANS,
                 parse=parse_business_hours, group="hours",
                 help_text="When the brand answers itself, in the queue's time zone; replaces "
                 "the old hours."),
    _boolean("open_24_7", "Replace with 24/7 business hours (the brand answers itself all "
             "week)", write_only=True, group="hours",
             help_text="Replace business hours with every day, all day"),
    _boolean("covers_after_hours", "After hours on weekdays", group="coverage",
             help_text="The network answers outside business hours on weekdays."),
    _boolean("covers_weekends", "Weekends", group="coverage",
             help_text="The network answers on Saturdays and Sundays."),
    _boolean("covers_holidays", "Public holidays (whole days)", group="coverage",
             help_text="The network answers on the public holidays of `holiday_country`."),
    _boolean("covers_overflow", "Overflow in business hours, while your reported backlog "
             "passes a threshold", group="coverage",
             help_text="The network answers in business hours while the reported backlog "
             "passes a threshold."),
    _boolean("always_on", "Always on (every hour)", group="coverage",
             help_text="The network answers every hour."),
    QueueSetting(name="holiday_country", label="Holiday country (ISO code)",
                 kind=SettingKind.TEXT, parse=parse_holiday_country, max_length=2,
                 example="IE", group="coverage_rules", help_text="ISO 3166 code"),
    _integer("overflow_backlog_threshold", "Overflow: backlog at least", minimum=1,
             maximum=100_000, nullable=True, group="coverage_rules",
             help_text="Overflow coverage starts at this many waiting inquiries."),
    _integer("overflow_wait_threshold_seconds", "Overflow: oldest wait at least (s)",
             minimum=1, maximum=SECONDS_IN_WEEK, nullable=True, group="coverage_rules",
             help_text="Overflow coverage starts when the oldest inquiry waits this long."),
    QueueSetting(name="closures", label="Closures", kind=SettingKind.CLOSURES,
                 parse=parse_closures, group="closures",
                 help_text="Days the brand is closed and the network covers, local dates, "
                 "both inclusive; replaces the old ones."),
    _integer("chat_first_response_seconds", "Chat first response", minimum=5,
             maximum=SECONDS_IN_WEEK, group="first_response",
             help_text="First-response target for chats, in seconds."),
    _integer("email_first_response_seconds", "Email first response", minimum=5,
             maximum=SECONDS_IN_WEEK, group="first_response",
             help_text="First-response target for emails, in seconds."),
    _integer("social_first_response_seconds", "Social first response", minimum=5,
             maximum=SECONDS_IN_WEEK, group="first_response",
             help_text="First-response target for social messages, in seconds."),
    _integer("chat_offer_timeout_seconds", "Chat offer timeout", minimum=5, maximum=3600,
             group="timeouts", help_text="How long an expert has to accept a chat, in seconds."),
    _integer("email_offer_timeout_seconds", "Email offer timeout", minimum=5, maximum=3600,
             group="timeouts",
             help_text="How long an expert has to accept an email, in seconds."),
    _integer("social_offer_timeout_seconds", "Social offer timeout", minimum=5, maximum=3600,
             group="timeouts",
             help_text="How long an expert has to accept a social message, in seconds."),
    _integer("chat_reply_timeout_seconds", "Chat reply timeout", minimum=30,
             maximum=24 * 3600, group="timeouts",
             help_text="A chat whose expert stays silent this long is reassigned, in seconds."),
    _integer("resolve_after_hours", "Resolved after this many hours without a customer reply",
             minimum=1, maximum=30 * 24, group="resolution",
             help_text="An answered inquiry counts as resolved after this many hours without "
             "a reply."),
    _integer("reopen_window_hours", "Reopen window (hours after resolution)", minimum=1,
             maximum=90 * 24, group="resolution",
             help_text="A customer's message within this many hours of resolution reopens the "
             "inquiry; later, it opens a new inquiry linked to the old one."),
    QueueSetting(name="webhook_events", label="Webhook events (empty: none)",
                 kind=SettingKind.TEXT_LIST, parse=parse_webhook_events,
                 example="inquiry.escalated, inquiry.resolved", group="resolution",
                 help_text="The inquiry events posted, signed, to the outbound webhook: "
                 "inquiry.created, inquiry.assigned, inquiry.replied, inquiry.escalated, "
                 "inquiry.resolved, inquiry.reopened, survey.requested, survey.answered. "
                 "Empty: none (replies still go out as message.created; survey.requested "
                 "goes out whenever survey_delivery is webhook)."),
    QueueSetting(name="survey_delivery", label="Customer survey after resolution",
                 kind=SettingKind.TEXT, parse=parse_survey_delivery, max_length=16,
                 allows_blank=False, group="resolution",
                 choices=tuple((value, str(label)) for value, label in SurveyDelivery.choices),
                 help_text="How the customer of a resolved email inquiry is asked for a "
                 "rating: email (Shiftline emails a single-use link), webhook (your helpdesk "
                 "gets survey.requested with the link and asks them) or off. Chats are asked "
                 "in the widget."),
    _integer("survey_delay_hours", "Send the survey this many hours after resolution",
             minimum=0, maximum=30 * 24, group="resolution",
             help_text="Hours after resolution before an email inquiry's survey is sent "
             "(0: at once)."),
    _integer("retention_days", "Delete message texts and attachments this many days after "
             "resolution (empty: keep them)", minimum=1, maximum=3650, nullable=True,
             group="resolution",
             help_text="Message bodies and attachments of resolved, escalated or handed-back "
             "inquiries older than this many days are deleted every night; empty (the "
             "default) keeps them."),
    QueueSetting(name="languages", label="Languages (empty: any)", kind=SettingKind.TEXT_LIST,
                 parse=parse_languages, example="en, de", group="routing",
                 help_text="ISO 639-1 codes the network answers in; empty means any."),
    QueueSetting(name="required_skills", label="Required skills", kind=SettingKind.TEXT_LIST,
                 parse=parse_skills, example="returns, billing", group="routing",
                 help_text="Skills an expert needs for this queue, such as returns."),
    QueueSetting(name="currency", label="Currency", kind=SettingKind.TEXT,
                 parse=parse_currency, min_length=3, max_length=3, allows_blank=False,
                 group="prices",
                 help_text="ISO 4217 code such as EUR; the prices are in it."),
    QueueSetting(name="prices", label="Prices (set by Shiftline in your contract)",
                 kind=SettingKind.PRICES, read_only=True, group="prices",
                 help_text="Read-only: what the brand pays per resolved ticket on each channel "
                 "in the queue's currency, from its contract with Shiftline, as decimal "
                 "strings; `rises_with_tier` says whether the price is multiplied by the "
                 "slot's premium tier, `escalation_fee` is billed when the brand confirms an "
                 "escalation (null: none). Null before Shiftline has priced the currency."),
    QueueSetting(name="guidelines", label="Guidelines for experts (Markdown)",
                 kind=SettingKind.LONG_TEXT, parse=text_parser(GUIDELINES_MAX_LENGTH),
                 max_length=GUIDELINES_MAX_LENGTH, group="guidelines",
                 help_text="Markdown experts read before answering."),
)


SETTINGS_BY_NAME = {setting.name: setting for setting in QUEUE_SETTINGS}


PRICES_ARE_SHIFTLINES = ("Shiftline sets prices in the brand's contract; they are read-only "
                         "here. Ask Shiftline to change them.")


# The settings brands once typed themselves, refused with the reason rather than as unknown.
FORMER_PRICE_SETTINGS = ("price_per_ticket", "expert_rate")


REQUIRED_ON_CREATE = tuple(setting.name for setting in QUEUE_SETTINGS
                           if setting.required_on_create)


def parse_queue_changes(
    changes: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Parses each declared setting present in `changes`; returns (values, errors), values
    under the model's field names. Prices, read-only, are refused with the reason."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {str(key)[:50]: ["Unknown field."]
                                    for key in changes if key not in SETTINGS_BY_NAME}
    for name in changes:
        setting = SETTINGS_BY_NAME.get(name)
        if name in FORMER_PRICE_SETTINGS or (setting is not None and setting.read_only):
            errors[name] = [PRICES_ARE_SHIFTLINES]
    for setting in QUEUE_SETTINGS:
        if setting.name in changes and setting.parse is not None and not setting.read_only:
            try:
                values[setting.name] = setting.parse(changes[setting.name])
            except FieldError as error:
                errors[setting.name] = [str(error)]
    return values, errors


def _stored_value(setting: QueueSetting, queue: OverflowQueue) -> Any:
    match setting.kind:
        case SettingKind.SPANS:
            return [{"weekday": span.weekday, "opens": f"{span.opens_at:%H:%M}",
                     "closes": f"{span.closes_at:%H:%M}"} for span in queue.spans.all()]
        case SettingKind.PRICES:
            return queue_prices(queue=queue)
        case _:
            return getattr(queue, setting.name)


def queue_prices(*, queue: OverflowQueue) -> dict[str, Any] | None:
    """The brand's prices in the queue's currency as the contract Shiftline set says (a
    brand not priced yet in it: the rate card's list price on every channel, which its
    contract starts at when its first ticket is billed), money as decimal strings; None when
    the currency has no rate card either."""
    currency = queue.currency
    contract = terms_selectors.contract_find(brand_id=queue.brand_id, currency=currency)

    def amount(minor: int | None) -> str | None:
        return None if minor is None else str(Money(minor=minor, currency=currency).amount)

    if contract is not None:
        return {"currency": currency,
                **{channel: amount(contract.price_minor(channel)) for channel in CHANNELS},
                "rises_with_tier": contract.price_rises_with_tier,
                "escalation_fee": amount(contract.escalation_fee_minor)}
    card = terms_selectors.rate_card_find(currency=currency)
    if card is None:
        return None
    return {"currency": currency,
            **{channel: amount(card.list_price_minor) for channel in CHANNELS},
            "rises_with_tier": False, "escalation_fee": None}


def queue_setting_values(*, queue: OverflowQueue) -> dict[str, Any]:
    """Each stored setting as the REST API shows it (and, but for the read-only prices,
    accepts it back): money as decimal strings in the queue's currency, business hours as
    spans, closures as dated entries. Write-only settings (an action such as `open_24_7`)
    have no stored value."""
    return {setting.name: _stored_value(setting, queue) for setting in QUEUE_SETTINGS
            if not setting.write_only}


def as_form_value(setting: QueueSetting, value: Any) -> Any:
    """`value` (as `queue_setting_values` gives it) as the console form shows it, in the text
    the parser reads back: lists comma-separated, spans and closures one a line, no value as
    an empty field."""
    match setting.kind:
        case SettingKind.BOOLEAN:
            return bool(value)
        case SettingKind.TEXT_LIST:
            return ", ".join(value or [])
        case SettingKind.SPANS:
            return "\n".join(f"{WEEKDAYS[span['weekday']].title()} {span['opens']}-"
                             f"{span['closes']}" for span in value or [])
        case SettingKind.CLOSURES:
            return "\n".join(f"{closure['starts_on']}..{closure['ends_on']} {closure['label']}"
                             for closure in value or [])
        case SettingKind.PRICES:
            return value
        case SettingKind.CHANNELS:
            return list(value or [])
        case _:
            return "" if value is None else value
